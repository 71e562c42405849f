package io.multiscope.store.jdbc;

/**
 * The databases {@link JdbcInventoryStore} speaks. Each uses its own SQL for the writes that must be idempotent or
 * conditional; none pretends to be another. Detected from the connection's metadata unless given explicitly.
 */
public enum JdbcDialect {

    /** H2 2.x, file or in-memory, in any compatibility mode: the embedded default. */
    H2("H2"),

    /** PostgreSQL 12 or newer, and databases that speak its protocol and SQL (detected as "PostgreSQL"). */
    POSTGRESQL("PostgreSQL"),

    /** MariaDB 10.5 or newer and MySQL 8 (InnoDB). */
    MARIADB("MariaDB/MySQL");

    private final String displayName;

    JdbcDialect(String displayName) {
        this.displayName = displayName;
    }

    /** The name used in messages. */
    public String displayName() {
        return displayName;
    }

    /**
     * The dialect for a database product name as JDBC reports it ({@code DatabaseMetaData#getDatabaseProductName}).
     *
     * @throws IllegalArgumentException naming the product when no dialect fits
     */
    public static JdbcDialect forProductName(String productName) {
        String name = productName == null ? "" : productName.trim().toLowerCase(java.util.Locale.ROOT);
        if (name.startsWith("h2")) {
            return H2;
        }
        if (name.startsWith("postgresql")) {
            return POSTGRESQL;
        }
        if (name.startsWith("mariadb") || name.startsWith("mysql")) {
            return MARIADB;
        }
        throw new IllegalArgumentException("No JDBC inventory dialect for database '" + productName
                + "'; supported are H2, PostgreSQL and MariaDB/MySQL. If it speaks one of those dialects, pass it "
                + "with JdbcInventoryStore.Builder.dialect(...)");
    }
}
