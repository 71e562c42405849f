package io.multiscope.store.jdbc.internal;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/** An H2 file database behind H2's own small connection pool, for the store's embedded default. */
public final class EmbeddedH2 implements AutoCloseable {

    private final JdbcConnectionPool pool;

    private EmbeddedH2(JdbcConnectionPool pool) {
        this.pool = pool;
    }

    /**
     * Opens (creating if needed) the database in {@code file}{@code .mv.db}. Loading this class fails with
     * {@link NoClassDefFoundError} when H2 is not on the classpath.
     */
    public static EmbeddedH2 open(Path file, int maxConnections) {
        String url = "jdbc:h2:file:" + file.toAbsolutePath()
                // Wait for row locks as long as a busy moment may need rather than H2's default of one second.
                + ";LOCK_TIMEOUT=10000";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "sa", "");
        pool.setMaxConnections(maxConnections);
        return new EmbeddedH2(pool);
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
