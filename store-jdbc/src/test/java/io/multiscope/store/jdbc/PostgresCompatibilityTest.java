package io.multiscope.store.jdbc;

import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.store.jdbc.backends.InstantRetry;
import io.multiscope.store.jdbc.backends.PostgresDatabase;
import io.multiscope.testkit.InventoryStoreCompatibilityKit;

/** The inventory contract on a real PostgreSQL server, emptied before each test. */
class PostgresCompatibilityTest extends InventoryStoreCompatibilityKit {

    @Override
    protected InventoryStore createStore(VirtualClock clock) {
        PostgresDatabase database = PostgresDatabase.get();
        database.clear();
        return JdbcInventoryStore.builder(database.shared()).clock(clock).retry(InstantRetry.create()).build();
    }

    @Override
    protected int largeFleetSize() {
        return 25_000;
    }
}
