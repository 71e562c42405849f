package io.multiscope.store.jdbc.backends;

import com.zaxxer.hikari.HikariDataSource;
import io.multiscope.store.jdbc.JdbcDialect;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * A MariaDB server started outside the tests ({@code .ci/start-mariadb.sh}), found through
 * {@code MULTISCOPE_MARIADB_URL} or at the default URL.
 */
public final class MariaDbDatabase implements TestDatabase {

    public static final String URL_VARIABLE = "MULTISCOPE_MARIADB_URL";
    public static final String DEFAULT_URL = "jdbc:mariadb://127.0.0.1:3306/multiscope?user=root";

    private static MariaDbDatabase instance;
    private static String unavailable;

    private final String url;
    private final HikariDataSource shared;

    private MariaDbDatabase(String url) {
        this.url = url;
        this.shared = TestDatabase.pool(url, "mariadb-shared");
    }

    public static String url() {
        String configured = System.getenv(URL_VARIABLE);
        return configured == null || configured.isBlank() ? DEFAULT_URL : configured;
    }

    /** Why the server cannot be used, or empty if it answers. Probes once per JVM. */
    public static synchronized Optional<String> unavailable() {
        if (instance == null && unavailable == null) {
            String url = url();
            try (Connection c = DriverManager.getConnection(withParameter(url, "connectTimeout=2000"))) {
                c.isValid(2);
                instance = new MariaDbDatabase(url);
                Runtime.getRuntime().addShutdownHook(new Thread(instance.shared::close, "mariadb-pool-close"));
            } catch (SQLException e) {
                unavailable = "no MariaDB server at " + url + " (" + e.getMessage() + "); start one with "
                        + ".ci/start-mariadb.sh or point " + URL_VARIABLE + " at one";
            }
        }
        return Optional.ofNullable(unavailable);
    }

    public static MariaDbDatabase get() {
        unavailable().ifPresent(why -> {
            throw new IllegalStateException(why);
        });
        return instance;
    }

    @Override
    public JdbcDialect dialect() {
        return JdbcDialect.MARIADB;
    }

    @Override
    public HikariDataSource shared() {
        return shared;
    }

    @Override
    public void clear() {
        if (tableExists("multiscope_instance")) {
            TestDatabase.execute(shared, "TRUNCATE TABLE multiscope_assignment",
                    "DELETE FROM multiscope_instance_counter", "DELETE FROM multiscope_instance");
        }
        if (tableExists("multiscope_ownership")) {
            // DELETE, not TRUNCATE: the history's foreign key forbids truncating the table it references.
            TestDatabase.execute(shared, "DELETE FROM multiscope_ownership_transfer",
                    "DELETE FROM multiscope_ownership");
        }
    }

    private boolean tableExists(String table) {
        try (Connection c = shared.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables "
                        + "WHERE table_schema = DATABASE() AND table_name = '" + table + "'")) {
            r.next();
            return r.getInt(1) > 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public HikariDataSource fresh(String name) {
        String db = name.replaceAll("[^a-z0-9_]", "_");
        TestDatabase.execute(shared, "DROP DATABASE IF EXISTS " + db,
                "CREATE DATABASE " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        return TestDatabase.pool(withDatabase(url, db), "mariadb-" + db);
    }

    @Override
    public void kill(Connection victim) throws SQLException {
        long id;
        try (Statement s = victim.createStatement(); ResultSet r = s.executeQuery("SELECT CONNECTION_ID()")) {
            r.next();
            id = r.getLong(1);
        }
        try (Connection admin = shared.getConnection(); Statement s = admin.createStatement()) {
            s.execute("KILL CONNECTION " + id);
        }
    }

    private static String withParameter(String url, String parameter) {
        return url + (url.contains("?") ? "&" : "?") + parameter;
    }

    /** The same server URL with another database in its path. */
    private static String withDatabase(String url, String database) {
        URI uri = URI.create(url.substring("jdbc:".length()));
        String query = uri.getRawQuery();
        return "jdbc:" + uri.getScheme() + "://" + uri.getRawAuthority() + "/" + database
                + (query == null ? "" : "?" + query);
    }
}
