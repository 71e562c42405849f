package io.multiscope.store.jdbc.internal;

import io.multiscope.core.store.StoreException;
import io.multiscope.store.jdbc.SchemaVersionException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Brings a database's schema to a version by running the shipped scripts in order, recording each in
 * {@code multiscope_schema_version}; refuses a schema newer than this library.
 */
public final class SchemaMigrator {

    private final DataSource dataSource;
    private final Dialect dialect;
    private final Clock clock;

    public SchemaMigrator(DataSource dataSource, Dialect dialect, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The version recorded in the database; 0 if it has no schema version table. */
    public int currentVersion() {
        try (Connection c = dataSource.getConnection()) {
            return currentVersion(c);
        } catch (SQLException e) {
            throw failure("read the schema version", e);
        }
    }

    /** Fails unless the schema is exactly at the version this library needs. */
    public void validate() {
        int current = currentVersion();
        int latest = Migration.latestVersion();
        refuseNewer(current);
        if (current < latest) {
            throw new SchemaVersionException("The database's inventory schema is at version " + current
                    + (current == 0 ? " (no inventory tables)" : "") + " but this multiscope-store-jdbc needs "
                    + "version " + latest + ": call JdbcInventoryStore.migrate() or build the store with "
                    + "SchemaMode.MIGRATE", current, latest);
        }
    }

    /** Applies every missing migration; returns the versions applied (empty if the schema was current). */
    public List<Integer> migrate() {
        return migrateTo(Migration.latestVersion());
    }

    /** Applies the missing migrations up to {@code target}; returns the versions applied. */
    public List<Integer> migrateTo(int target) {
        if (target < 1 || target > Migration.latestVersion()) {
            throw new IllegalArgumentException("target version must be 1 to " + Migration.latestVersion()
                    + ", was " + target);
        }
        if (currentVersion() == target) {
            return List.of(); // the usual start of a node: one cheap read, no lock
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(true);
            dialect.lockSchema(c);
            try {
                return applyLocked(c, target);
            } finally {
                dialect.unlockSchema(c);
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw failure("migrate the schema", e);
        }
    }

    private List<Integer> applyLocked(Connection c, int target) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(dialect.createVersionTable());
        }
        int current = currentVersion(c); // again: another node may have migrated while we waited for the lock
        refuseNewer(current);
        List<Integer> applied = new ArrayList<>();
        for (Migration m : Migration.ALL) {
            if (m.version() > current && m.version() <= target) {
                apply(c, m);
                applied.add(m.version());
            }
        }
        return applied;
    }

    private void apply(Connection c, Migration m) throws SQLException {
        List<String> statements = m.statements(dialect);
        boolean atomic = dialect.transactionalDdl();
        if (atomic) {
            c.setAutoCommit(false);
        }
        String current = null;
        try {
            try (Statement s = c.createStatement()) {
                for (String statement : statements) {
                    current = statement;
                    s.execute(statement);
                }
            }
            current = "record version " + m.version();
            try (PreparedStatement p = c.prepareStatement("INSERT INTO " + Table.SCHEMA_VERSION
                    + " (version, description, applied_at) VALUES (?, ?, ?)")) {
                p.setInt(1, m.version());
                p.setString(2, m.description());
                dialect.setInstant(p, 3, clock.instant());
                p.executeUpdate();
            }
            if (atomic) {
                c.commit();
            }
        } catch (SQLException e) {
            if (atomic) {
                c.rollback();
            }
            throw new StoreException("JDBC inventory (" + dialect.kind().displayName() + "): schema migration V"
                    + m.version() + " (" + m.resource(dialect) + ") failed at: " + current + " -- " + e.getMessage()
                    + (atomic ? "; nothing of it was applied"
                            : "; this database commits DDL statement by statement, so the statements before this one"
                                    + " stay applied: undo them by hand before running it again"),
                    null, null, false, e);
        } finally {
            if (atomic) {
                c.setAutoCommit(true);
            }
        }
    }

    private int currentVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT MAX(version) FROM " + Table.SCHEMA_VERSION)) {
            r.next();
            return r.getInt(1);
        } catch (SQLException e) {
            if (dialect.isUndefinedTable(e)) {
                if (!c.getAutoCommit()) {
                    c.rollback(); // PostgreSQL refuses further statements in a transaction after an error
                }
                return 0;
            }
            throw e;
        }
    }

    private static void refuseNewer(int current) {
        int latest = Migration.latestVersion();
        if (current > latest) {
            throw new SchemaVersionException("The database's inventory schema is at version " + current
                    + ", newer than version " + latest + " that this multiscope-store-jdbc supports: a later "
                    + "release upgraded it. Use that release or a newer one with this database; schema downgrades "
                    + "are not supported", current, latest);
        }
    }

    private StoreException failure(String what, SQLException e) {
        return new StoreException("JDBC inventory (" + dialect.kind().displayName() + "): could not " + what + ": "
                + e.getMessage() + " [SQLSTATE " + e.getSQLState() + "]", null, null, dialect.isTransient(e), e);
    }
}
