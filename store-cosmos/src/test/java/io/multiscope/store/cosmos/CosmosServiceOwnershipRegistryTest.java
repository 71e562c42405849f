package io.multiscope.store.cosmos;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The ownership registry compatibility kit against a real Cosmos DB account or the official emulator, when
 * {@code COSMOS_ENDPOINT} and {@code COSMOS_KEY} are set (skipped otherwise); short-lived containers in database
 * {@code multiscope-test}, deleted after each test.
 */
@EnabledIfEnvironmentVariable(named = "COSMOS_KEY", matches = ".+",
        disabledReason = "COSMOS_ENDPOINT and COSMOS_KEY are not set: no run against a real Cosmos DB account")
class CosmosServiceOwnershipRegistryTest extends CosmosOwnershipRegistryTest {

    @Override
    CosmosBackend backend() {
        return CosmosBackend.SERVICE;
    }
}
