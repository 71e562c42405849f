package io.multiscope.store.jdbc.internal;

import io.multiscope.store.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;

/**
 * MariaDB and MySQL on InnoDB: {@code INSERT IGNORE}, no {@code RETURNING} on updates, DDL that commits, named locks.
 * Timestamps are {@code DATETIME(6)} holding UTC, so the session time zone never shifts them.
 */
final class MariaDbDialect extends Dialect {

    private static final String SCHEMA_LOCK = "multiscope.schema";
    private static final int SCHEMA_LOCK_WAIT_SECONDS = 120;

    private static final Set<Integer> TRANSIENT_ERRORS = Set.of(
            1205, // lock wait timeout
            1213, // deadlock
            1040, // too many connections
            1053, // server shutdown in progress
            1317, // query execution was interrupted
            1927, // connection was killed
            2006, // server has gone away
            2013); // lost connection during query

    @Override
    public JdbcDialect kind() {
        return JdbcDialect.MARIADB;
    }

    @Override
    public String scriptFolder() {
        return "mariadb";
    }

    /**
     * {@code INSERT IGNORE} also turns data errors into warnings; the store validates every value's length and
     * content before writing, so the only row it skips is a duplicate key.
     */
    @Override
    public String insertIfAbsent(Table table) {
        return "INSERT IGNORE INTO " + table.name() + " (" + table.columnList() + ") VALUES (" + table.placeholders()
                + ")";
    }

    /**
     * InnoDB's default, REPEATABLE READ, keeps the lock of every row an UPDATE examined, even rows its condition
     * rejected, so writers looking through full counter shards from different starting points would deadlock.
     * READ COMMITTED releases them. Configure the pool with it to save the two statements that switch it.
     */
    @Override
    public int isolation() {
        return Connection.TRANSACTION_READ_COMMITTED;
    }

    @Override
    public Optional<String> updateReturning(String update, String columns) {
        return Optional.empty();
    }

    @Override
    public boolean transactionalDdl() {
        return false;
    }

    @Override
    public String createVersionTable() {
        return "CREATE TABLE IF NOT EXISTS " + Table.SCHEMA_VERSION + " (version INT NOT NULL PRIMARY KEY, "
                + "description VARCHAR(200) NOT NULL, applied_at DATETIME(6) NOT NULL) "
                + "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
    }

    /** A named lock belongs to the session, so it holds across the implicit commits of DDL. */
    @Override
    public void lockSchema(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("SELECT GET_LOCK('" + SCHEMA_LOCK + "', " + SCHEMA_LOCK_WAIT_SECONDS
                        + ")")) {
            if (!r.next() || r.getInt(1) != 1) {
                throw new SQLException("Another node held the schema migration lock '" + SCHEMA_LOCK + "' for more "
                        + "than " + SCHEMA_LOCK_WAIT_SECONDS + " s", "HY000");
            }
        }
    }

    @Override
    public void unlockSchema(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("DO RELEASE_LOCK('" + SCHEMA_LOCK + "')");
        }
    }

    @Override
    public void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        statement.setObject(index, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    @Override
    public Instant getInstant(ResultSet row, String column) throws SQLException {
        return row.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }

    @Override
    protected int nullInstantType() {
        return Types.TIMESTAMP;
    }

    @Override
    protected boolean isTransientVendorFailure(SQLException e) {
        return TRANSIENT_ERRORS.contains(e.getErrorCode());
    }
}
