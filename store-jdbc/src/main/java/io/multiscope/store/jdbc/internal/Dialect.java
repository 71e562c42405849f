package io.multiscope.store.jdbc.internal;

import io.multiscope.store.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * What differs between databases: the SQL of idempotent inserts and conditional updates, how timestamps are bound,
 * which failures are transient, and how schema changes are serialised between nodes.
 */
public abstract class Dialect {

    public static Dialect of(JdbcDialect kind) {
        return switch (kind) {
            case H2 -> new H2Dialect();
            case POSTGRESQL -> new PostgresDialect();
            case MARIADB -> new MariaDbDialect();
        };
    }

    public abstract JdbcDialect kind();

    /** The folder under {@code io/multiscope/store/jdbc/schema/} holding this dialect's migration scripts. */
    public abstract String scriptFolder();

    /**
     * An insert of one row of {@code table}, binding {@link Table#columns()} in order, that does nothing when a row
     * with the same key exists; its update count is 1 if it inserted, 0 if not.
     */
    public abstract String insertIfAbsent(Table table);

    /**
     * One statement that, run on its own (auto-commit), assigns a new device completely or changes nothing: it
     * inserts the record if the id is free and the instance active, and counts it on a given shard, failing as a
     * whole (see {@link #isShardFullAbort}) if that shard is full. It returns the instance's id scope and endpoint
     * when it assigned, no row when it inserted nothing. Empty for databases that need a transaction of several
     * statements. Parameters: see {@link AssignmentWrites#assignInOneStatement}.
     */
    public Optional<String> singleStatementAssign() {
        return Optional.empty();
    }

    /** Whether {@code failure} is {@link #singleStatementAssign()} undoing itself because its shard was full. */
    public boolean isShardFullAbort(SQLException failure) {
        return false;
    }

    /**
     * The statement {@code update} (an {@code UPDATE} of one row) made to return {@code columns} of the row as
     * updated, or empty when the database cannot (the caller then reads the row in the same transaction).
     */
    public abstract Optional<String> updateReturning(String update, String columns);

    /** Whether DDL takes part in transactions (a failed migration then leaves no trace). */
    public abstract boolean transactionalDdl();

    /** DDL that creates the schema version table if it is missing. */
    public abstract String createVersionTable();

    /** Serialises schema migrations between nodes; held on {@code connection} until {@link #unlockSchema}. */
    public abstract void lockSchema(Connection connection) throws SQLException;

    public abstract void unlockSchema(Connection connection) throws SQLException;

    /**
     * The isolation the store's write transactions must run at, set on the connection for the transaction and
     * restored after; {@link Connection#TRANSACTION_NONE} to run at the connection's own level. Every design choice
     * here assumes READ COMMITTED (each statement sees the latest commits; a conditional update re-checks its
     * condition on the row it waited for); stricter levels stay correct but turn contention into retried
     * serialization failures.
     */
    public int isolation() {
        return Connection.TRANSACTION_NONE;
    }

    public void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    public Instant getInstant(ResultSet row, String column) throws SQLException {
        return row.getObject(column, OffsetDateTime.class).toInstant();
    }

    /** Binds an instant or SQL NULL. */
    public final void setInstant(PreparedStatement statement, int index, Optional<Instant> instant)
            throws SQLException {
        if (instant.isPresent()) {
            setInstant(statement, index, instant.get());
        } else {
            statement.setNull(index, nullInstantType());
        }
    }

    /** Reads a nullable timestamp column. */
    public final Optional<Instant> getOptionalInstant(ResultSet row, String column) throws SQLException {
        return row.getObject(column) == null ? Optional.empty() : Optional.of(getInstant(row, column));
    }

    /** The JDBC type of a NULL bound where {@link #setInstant} binds an instant. */
    protected int nullInstantType() {
        return Types.TIMESTAMP_WITH_TIMEZONE;
    }

    /**
     * Whether {@code failure} is a unique-key violation: an insert-if-absent that raced with another transaction
     * inserting the same key (H2 reports such a race as a violation rather than skipping the row).
     */
    public boolean isDuplicateKey(SQLException failure) {
        return "23505".equals(failure.getSQLState()) || failure.getErrorCode() == 1062;
    }

    /** Whether {@code failure} says a table does not exist. */
    public boolean isUndefinedTable(SQLException failure) {
        String state = failure.getSQLState();
        // PostgreSQL; SQL standard; H2 (an empty database); MariaDB/MySQL
        return "42P01".equals(state) || "42S02".equals(state) || "42S04".equals(state)
                || failure.getErrorCode() == 1146;
    }

    /** Whether repeating the whole transaction may succeed after {@code failure}. */
    public final boolean isTransient(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e) {
                for (SQLException s = e; s != null; s = s.getNextException()) {
                    if (isTransientOne(s)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private boolean isTransientOne(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return true;
        }
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("40"))) {
            // 08: connection exception (a fresh connection may work); 40: transaction rollback (serialization
            // failure, deadlock).
            return true;
        }
        return isTransientVendorFailure(e);
    }

    /** Transient failures the standard SQLSTATE classes do not cover. */
    protected abstract boolean isTransientVendorFailure(SQLException e);
}
