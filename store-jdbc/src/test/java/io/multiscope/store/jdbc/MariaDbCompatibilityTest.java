package io.multiscope.store.jdbc;

import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.store.jdbc.backends.InstantRetry;
import io.multiscope.store.jdbc.backends.MariaDbDatabase;
import io.multiscope.store.jdbc.backends.RequiresMariaDb;
import io.multiscope.testkit.InventoryStoreCompatibilityKit;

/** The inventory contract on a real MariaDB server, emptied before each test. */
@RequiresMariaDb
class MariaDbCompatibilityTest extends InventoryStoreCompatibilityKit {

    @Override
    protected InventoryStore createStore(VirtualClock clock) {
        MariaDbDatabase database = MariaDbDatabase.get();
        database.clear();
        return JdbcInventoryStore.builder(database.shared()).clock(clock).retry(InstantRetry.create()).build();
    }

    @Override
    protected int largeFleetSize() {
        return 25_000;
    }
}
