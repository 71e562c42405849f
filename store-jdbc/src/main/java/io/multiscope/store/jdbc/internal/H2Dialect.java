package io.multiscope.store.jdbc.internal;

import io.multiscope.store.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * H2 2.x in its own syntax: {@code MERGE ... USING ... WHEN NOT MATCHED} to insert if absent, {@code FINAL TABLE} to
 * read an updated row back. H2 commits DDL at once and has no cross-session named lock, so migrations are serialised
 * within the JVM (an embedded database has one).
 */
final class H2Dialect extends Dialect {

    private static final ReentrantLock SCHEMA_LOCK = new ReentrantLock();

    private static final Set<Integer> TRANSIENT_ERRORS = Set.of(
            50200, // lock timeout
            90131, // concurrent update of a row
            90067, // connection broken
            90121, // database called at shutdown
            90098, // database closed
            // "object already closed": the store closes nothing it still uses, so this is its connection, closed
            // under it (an aborted session, a shutdown); a fresh connection may work
            90007);

    @Override
    public JdbcDialect kind() {
        return JdbcDialect.H2;
    }

    @Override
    public String scriptFolder() {
        return "h2";
    }

    @Override
    public String insertIfAbsent(Table table) {
        String source = table.columns().stream().map(c -> "s." + c).collect(Collectors.joining(", "));
        return "MERGE INTO " + table.name() + " t USING (VALUES (" + table.placeholders() + ")) AS s("
                + table.columnList() + ") ON t." + table.key() + " = s." + table.key()
                + " WHEN NOT MATCHED THEN INSERT (" + table.columnList() + ") VALUES (" + source + ")";
    }

    @Override
    public Optional<String> updateReturning(String update, String columns) {
        return Optional.of("SELECT " + columns + " FROM FINAL TABLE (" + update + ")");
    }

    @Override
    public boolean transactionalDdl() {
        return false;
    }

    @Override
    public String createVersionTable() {
        return "CREATE TABLE IF NOT EXISTS " + Table.SCHEMA_VERSION + " (version INTEGER NOT NULL PRIMARY KEY, "
                + "description VARCHAR(200) NOT NULL, applied_at TIMESTAMP(6) WITH TIME ZONE NOT NULL)";
    }

    @Override
    public void lockSchema(Connection connection) {
        SCHEMA_LOCK.lock();
    }

    @Override
    public void unlockSchema(Connection connection) {
        SCHEMA_LOCK.unlock();
    }

    @Override
    protected boolean isTransientVendorFailure(SQLException e) {
        return TRANSIENT_ERRORS.contains(e.getErrorCode());
    }
}
