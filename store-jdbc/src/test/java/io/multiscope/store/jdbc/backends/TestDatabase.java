package io.multiscope.store.jdbc.backends;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.multiscope.store.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** A real database server (or embedded engine) the store's tests run against. */
public interface TestDatabase {

    JdbcDialect dialect();

    /**
     * A pool on the test JVM's shared database. Tests empty it with {@link #clear()} instead of recreating it, which
     * keeps them fast on servers.
     */
    HikariDataSource shared();

    /** Removes every inventory row from the shared database (the schema stays). */
    void clear();

    /** A pool on a new, empty database called {@code name}; closing the pool leaves the database to the server. */
    HikariDataSource fresh(String name);

    /** Ends {@code victim}'s session from another connection, as an administrator or a crash would. */
    void kill(Connection victim) throws SQLException;

    /** A Hikari pool sized for the contention tests. */
    static HikariDataSource pool(String jdbcUrl, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName(name);
        config.setMaximumPoolSize(34);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(30_000);
        return new HikariDataSource(config);
    }

    static void execute(HikariDataSource pool, String... statements) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Test database setup failed: " + e.getMessage(), e);
        }
    }
}
