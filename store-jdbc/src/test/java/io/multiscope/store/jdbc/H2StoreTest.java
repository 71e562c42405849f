package io.multiscope.store.jdbc;

import io.multiscope.store.jdbc.backends.H2Database;
import io.multiscope.store.jdbc.backends.TestDatabase;

class H2StoreTest extends JdbcStoreScenarios {

    private static final H2Database DATABASE = new H2Database();

    @Override
    protected TestDatabase database() {
        return DATABASE;
    }
}
