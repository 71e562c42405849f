package io.multiscope.store.jdbc.internal;

import io.multiscope.store.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Set;

/** PostgreSQL: {@code ON CONFLICT DO NOTHING}, {@code RETURNING}, data-modifying CTEs, transactional DDL. */
final class PostgresDialect extends Dialect {

    /** Arbitrary but fixed key of the advisory lock that serialises migrations ("mscope" in ASCII). */
    private static final long SCHEMA_LOCK_KEY = 0x6d73636f7065L;

    private static final Set<String> TRANSIENT_STATES = Set.of(
            "57P01", // admin_shutdown: pg_terminate_backend, server restart
            "57P02", // crash_shutdown
            "57P03", // cannot_connect_now: starting up
            "55P03", // lock_not_available: lock_timeout
            "53300", // too_many_connections
            "57014"); // query_canceled: statement_timeout

    @Override
    public JdbcDialect kind() {
        return JdbcDialect.POSTGRESQL;
    }

    @Override
    public String scriptFolder() {
        return "postgresql";
    }

    @Override
    public String insertIfAbsent(Table table) {
        return "INSERT INTO " + table.name() + " (" + table.columnList() + ") VALUES (" + table.placeholders()
                + ") ON CONFLICT (" + table.key() + ") DO NOTHING";
    }

    /**
     * Parameters: instance id, registration id, tenant, created at, updated at, instance id, shard. The device row is
     * inserted only if the instance is active and the id is free; the shard is incremented only if the row was
     * inserted and the shard has room. An inserted row whose shard was full makes the final division fail, which
     * undoes the whole statement: plain SQL has no other way to abort, and division by zero is raised the same way
     * by every PostgreSQL-compatible database.
     */
    @Override
    public Optional<String> singleStatementAssign() {
        return Optional.of("""
                WITH target AS (
                    SELECT instance_id, id_scope, global_endpoint FROM multiscope_instance
                    WHERE instance_id = ? AND state = 'ACTIVE'
                ), inserted AS (
                    INSERT INTO multiscope_assignment (registration_id, tenant, instance_id, id_scope,
                        global_endpoint, assigned_hub, device_id, state, version, created_at, updated_at)
                    SELECT ?, ?, instance_id, id_scope, global_endpoint, NULL, NULL, 'ASSIGNED', 1, ?, ?
                    FROM target
                    ON CONFLICT (registration_id) DO NOTHING
                    RETURNING id_scope, global_endpoint
                ), counted AS (
                    UPDATE multiscope_instance_counter SET assigned = assigned + 1
                    WHERE instance_id = ? AND shard = ? AND assigned < capacity_share
                      AND EXISTS (SELECT 1 FROM inserted)
                    RETURNING shard
                )
                SELECT id_scope, global_endpoint, 1 / (SELECT count(*) FROM counted)::integer AS counted
                FROM inserted""");
    }

    /** division_by_zero: only the guard of {@link #singleStatementAssign()} divides. */
    @Override
    public boolean isShardFullAbort(SQLException failure) {
        return "22012".equals(failure.getSQLState());
    }

    @Override
    public Optional<String> updateReturning(String update, String columns) {
        return Optional.of(update + " RETURNING " + columns);
    }

    @Override
    public boolean transactionalDdl() {
        return true;
    }

    @Override
    public String createVersionTable() {
        return "CREATE TABLE IF NOT EXISTS " + Table.SCHEMA_VERSION + " (version integer NOT NULL PRIMARY KEY, "
                + "description varchar(200) NOT NULL, applied_at timestamptz NOT NULL)";
    }

    @Override
    public void lockSchema(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + SCHEMA_LOCK_KEY + ")");
        }
    }

    @Override
    public void unlockSchema(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK_KEY + ")");
        }
    }

    @Override
    protected boolean isTransientVendorFailure(SQLException e) {
        return e.getSQLState() != null && TRANSIENT_STATES.contains(e.getSQLState());
    }
}
