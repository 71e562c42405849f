package io.multiscope.store.cosmos;

/**
 * The compatibility kit against a real Cosmos DB account or the official emulator, when {@code COSMOS_ENDPOINT} and
 * {@code COSMOS_KEY} are set (skipped otherwise). Creates short-lived containers in database {@code multiscope-test}
 * (400 RU/s shared throughput) and deletes them after each test.
 */
class CosmosServiceInventoryStoreTest extends CosmosInventoryStoreTest {

    @Override
    CosmosBackend backend() {
        return CosmosBackend.SERVICE;
    }
}
