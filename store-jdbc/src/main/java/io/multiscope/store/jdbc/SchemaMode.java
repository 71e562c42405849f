package io.multiscope.store.jdbc;

/** What {@link JdbcInventoryStore.Builder#build()} does about the database schema. */
public enum SchemaMode {

    /**
     * Creates the tables, or upgrades them to the version this library needs, before the store is returned. Nodes
     * starting together take turns (a database lock), so any of them may do it. The default.
     */
    MIGRATE,

    /**
     * Only checks that the schema is at the version this library needs, and fails otherwise, naming both versions.
     * For deployments that upgrade the schema in a separate step ({@link JdbcInventoryStore#migrate()} or the shipped
     * SQL scripts).
     */
    VALIDATE,

    /**
     * Does not touch the schema at start. The application calls {@link JdbcInventoryStore#migrate()} itself before
     * the first operation, or manages the tables another way.
     */
    NONE
}
