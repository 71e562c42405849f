package io.multiscope.store.jdbc;

import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.store.jdbc.backends.H2Database;
import io.multiscope.store.jdbc.backends.InstantRetry;
import io.multiscope.testkit.InventoryStoreCompatibilityKit;

/** The inventory contract on H2 in memory, a new database per test. */
class H2CompatibilityTest extends InventoryStoreCompatibilityKit {

    private static final H2Database DATABASE = new H2Database();

    @Override
    protected InventoryStore createStore(VirtualClock clock) {
        DATABASE.clear();
        return JdbcInventoryStore.builder(DATABASE.shared()).clock(clock).retry(InstantRetry.create()).build();
    }

    /** H2 shares the test JVM's CPU with the writers; half the kit's default keeps the run short. */
    @Override
    protected int largeFleetSize() {
        return 50_000;
    }
}
