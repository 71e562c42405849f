package io.multiscope.store.cosmos;

import com.azure.cosmos.CosmosAsyncContainer;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.testkit.OwnershipRegistryCompatibilityKit;

/**
 * The ownership registry compatibility kit against the local Cosmos-compatible test server
 * ({@code .ci/start-cosmos.sh}), through {@link CosmosInventoryStore#ownership()} as applications reach it; each test
 * gets a new container.
 */
class CosmosOwnershipRegistryTest extends OwnershipRegistryCompatibilityKit {

    private CosmosAsyncContainer container;
    private CosmosInventoryStore store;

    @Override
    protected OwnershipRegistry createRegistry(VirtualClock clock) {
        container = backend().newContainer("ownership-kit");
        store = CosmosInventoryStore.builder().container(container).writerId("ownership-kit").clock(clock).build();
        return store.ownership();
    }

    @Override
    protected void closeRegistry(OwnershipRegistry registry) {
        try {
            store.close();
        } finally {
            CosmosBackend.deleteQuietly(container);
        }
    }

    CosmosBackend backend() {
        return CosmosBackend.LOCAL;
    }
}
