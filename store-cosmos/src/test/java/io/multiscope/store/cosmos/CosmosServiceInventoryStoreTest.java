package io.multiscope.store.cosmos;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The compatibility kit against a real Cosmos DB account or the official emulator, when {@code COSMOS_ENDPOINT} and
 * {@code COSMOS_KEY} are set (skipped otherwise). Creates short-lived containers in database {@code multiscope-test}
 * (400 RU/s shared throughput) and deletes them after each test.
 */
@EnabledIfEnvironmentVariable(named = "COSMOS_KEY", matches = ".+",
        disabledReason = "COSMOS_ENDPOINT and COSMOS_KEY are not set: no run against a real Cosmos DB account")
class CosmosServiceInventoryStoreTest extends CosmosInventoryStoreTest {

    @Override
    CosmosBackend backend() {
        return CosmosBackend.SERVICE;
    }
}
