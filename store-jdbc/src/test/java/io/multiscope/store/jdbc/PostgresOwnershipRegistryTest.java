package io.multiscope.store.jdbc;

import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.store.jdbc.backends.InstantRetry;
import io.multiscope.store.jdbc.backends.PostgresDatabase;
import io.multiscope.testkit.OwnershipRegistryCompatibilityKit;

/** The ownership contract on a real PostgreSQL server, emptied before each test. */
class PostgresOwnershipRegistryTest extends OwnershipRegistryCompatibilityKit {

    private JdbcInventoryStore store;

    @Override
    protected OwnershipRegistry createRegistry(VirtualClock clock) {
        PostgresDatabase database = PostgresDatabase.get();
        database.clear();
        store = JdbcInventoryStore.builder(database.shared()).clock(clock).retry(InstantRetry.create()).build();
        return store.ownership();
    }

    @Override
    protected void closeRegistry(OwnershipRegistry registry) {
        store.close();
    }
}
