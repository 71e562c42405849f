package io.multiscope.store.cosmos;

import com.azure.cosmos.CosmosAsyncContainer;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.testkit.InventoryStoreCompatibilityKit;

/**
 * The compatibility kit against the local Cosmos-compatible test server ({@code .ci/start-cosmos.sh}); each test
 * gets a new container.
 */
class CosmosInventoryStoreTest extends InventoryStoreCompatibilityKit {

    private CosmosAsyncContainer container;

    @Override
    protected InventoryStore createStore(VirtualClock clock) {
        container = backend().newContainer("kit");
        return CosmosInventoryStore.builder().container(container).writerId("kit-writer").clock(clock).build();
    }

    @Override
    protected void closeStore(InventoryStore store) {
        try {
            store.close();
        } finally {
            CosmosBackend.deleteQuietly(container);
        }
    }

    /**
     * The test server answers about 1,000 requests/s on two cores and an assignment takes three requests, so the
     * kit's 100,000-device fleet would take minutes; 4,000 devices still page through several 5,000-item pages of a
     * mixed instance. Override with -Dmultiscope.cosmos.largeFleet=N.
     */
    @Override
    protected int largeFleetSize() {
        return Integer.getInteger("multiscope.cosmos.largeFleet", 4_000);
    }

    CosmosBackend backend() {
        return CosmosBackend.LOCAL;
    }
}
