package io.multiscope.store.jdbc;

import io.multiscope.store.jdbc.backends.MariaDbDatabase;
import io.multiscope.store.jdbc.backends.RequiresMariaDb;
import io.multiscope.store.jdbc.backends.TestDatabase;

@RequiresMariaDb
class MariaDbStoreTest extends JdbcStoreScenarios {

    @Override
    protected TestDatabase database() {
        return MariaDbDatabase.get();
    }
}
