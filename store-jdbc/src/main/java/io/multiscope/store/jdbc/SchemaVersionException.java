package io.multiscope.store.jdbc;

import io.multiscope.core.store.StoreException;

/**
 * The database schema is not at the version this library works with: newer (written by a later release: upgrade the
 * library) or, when migrations are not applied on start, older (run {@link JdbcInventoryStore#migrate()}).
 */
public class SchemaVersionException extends StoreException {

    private static final long serialVersionUID = 1L;

    private final int databaseVersion;
    private final int supportedVersion;

    public SchemaVersionException(String message, int databaseVersion, int supportedVersion) {
        super(message, null, null, false, null);
        this.databaseVersion = databaseVersion;
        this.supportedVersion = supportedVersion;
    }

    /** The schema version recorded in the database; 0 when it has no inventory tables yet. */
    public int databaseVersion() {
        return databaseVersion;
    }

    /** The schema version this library reads and writes. */
    public int supportedVersion() {
        return supportedVersion;
    }
}
