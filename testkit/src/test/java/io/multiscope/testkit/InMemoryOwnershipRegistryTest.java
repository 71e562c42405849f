package io.multiscope.testkit;

import io.multiscope.core.ownership.InMemoryOwnershipRegistry;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.time.VirtualClock;

class InMemoryOwnershipRegistryTest extends OwnershipRegistryCompatibilityKit {

    /** Through the inventory store, as applications reach it, which must hand out a registry on its clock. */
    @Override
    protected OwnershipRegistry createRegistry(VirtualClock clock) {
        OwnershipRegistry registry = new InMemoryInventoryStore(clock).ownership();
        org.assertj.core.api.Assertions.assertThat(registry).isInstanceOf(InMemoryOwnershipRegistry.class);
        return registry;
    }
}
