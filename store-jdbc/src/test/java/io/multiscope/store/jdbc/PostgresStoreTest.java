package io.multiscope.store.jdbc;

import io.multiscope.store.jdbc.backends.PostgresDatabase;
import io.multiscope.store.jdbc.backends.TestDatabase;

class PostgresStoreTest extends JdbcStoreScenarios {

    @Override
    protected TestDatabase database() {
        return PostgresDatabase.get();
    }
}
