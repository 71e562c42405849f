package io.multiscope.store.jdbc.backends;

import com.zaxxer.hikari.HikariDataSource;
import io.multiscope.store.jdbc.JdbcDialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory H2 databases, each alive until its pool is closed. */
public final class H2Database implements TestDatabase {

    private static final AtomicInteger NEXT = new AtomicInteger();

    private HikariDataSource shared;

    @Override
    public JdbcDialect dialect() {
        return JdbcDialect.H2;
    }

    /** A new in-memory database per call of {@link #clear()}: creating one is cheaper than emptying one. */
    @Override
    public synchronized HikariDataSource shared() {
        if (shared == null) {
            shared = fresh("kit-" + NEXT.incrementAndGet());
        }
        return shared;
    }

    @Override
    public synchronized void clear() {
        if (shared != null) {
            try (Connection c = shared.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException expected) {
                // closing a connection to a database that was just shut down fails
            }
            shared.close();
            shared = null;
        }
    }

    @Override
    public HikariDataSource fresh(String name) {
        // DB_CLOSE_DELAY=-1 keeps the database while the pool cycles connections; SHUTDOWN ends it.
        return TestDatabase.pool("jdbc:h2:mem:" + name + "-" + NEXT.incrementAndGet()
                + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000", "h2-" + name);
    }

    @Override
    public void kill(Connection victim) throws SQLException {
        int session;
        try (Statement s = victim.createStatement(); ResultSet r = s.executeQuery("SELECT SESSION_ID()")) {
            r.next();
            session = r.getInt(1);
        }
        try (Connection admin = shared().getConnection(); Statement s = admin.createStatement();
                ResultSet r = s.executeQuery("SELECT ABORT_SESSION(" + session + ")")) {
            r.next();
            if (!r.getBoolean(1)) {
                throw new IllegalStateException("H2 did not abort session " + session);
            }
        }
        // Hikari recognises dead PostgreSQL and MariaDB connections by their errors but not H2's "database closed"
        // of an aborted session; without this it would hand the dead connection out again.
        shared().evictConnection(victim);
    }
}
