package io.multiscope.testkit;

import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.time.VirtualClock;

class InMemoryInventoryStoreTest extends InventoryStoreCompatibilityKit {

    @Override
    protected InventoryStore createStore(VirtualClock clock) {
        return new InMemoryInventoryStore(clock);
    }
}
