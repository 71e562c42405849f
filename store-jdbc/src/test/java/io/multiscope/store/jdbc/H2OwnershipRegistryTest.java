package io.multiscope.store.jdbc;

import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.store.jdbc.backends.H2Database;
import io.multiscope.store.jdbc.backends.InstantRetry;
import io.multiscope.testkit.OwnershipRegistryCompatibilityKit;

/** The ownership contract on H2 in memory, a new database per test. */
class H2OwnershipRegistryTest extends OwnershipRegistryCompatibilityKit {

    private static final H2Database DATABASE = new H2Database();

    private JdbcInventoryStore store;

    @Override
    protected OwnershipRegistry createRegistry(VirtualClock clock) {
        DATABASE.clear();
        store = JdbcInventoryStore.builder(DATABASE.shared()).clock(clock).retry(InstantRetry.create()).build();
        return store.ownership();
    }

    @Override
    protected void closeRegistry(OwnershipRegistry registry) {
        store.close();
    }
}
