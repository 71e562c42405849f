package io.multiscope.store.jdbc;

import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.store.jdbc.backends.InstantRetry;
import io.multiscope.store.jdbc.backends.MariaDbDatabase;
import io.multiscope.store.jdbc.backends.RequiresMariaDb;
import io.multiscope.testkit.OwnershipRegistryCompatibilityKit;

/** The ownership contract on a real MariaDB server, emptied before each test. */
@RequiresMariaDb
class MariaDbOwnershipRegistryTest extends OwnershipRegistryCompatibilityKit {

    private JdbcInventoryStore store;

    @Override
    protected OwnershipRegistry createRegistry(VirtualClock clock) {
        MariaDbDatabase database = MariaDbDatabase.get();
        database.clear();
        store = JdbcInventoryStore.builder(database.shared()).clock(clock).retry(InstantRetry.create()).build();
        return store.ownership();
    }

    @Override
    protected void closeRegistry(OwnershipRegistry registry) {
        store.close();
    }
}
