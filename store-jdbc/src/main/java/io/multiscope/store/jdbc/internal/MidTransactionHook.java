package io.multiscope.store.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Called inside a write transaction after part of its changes are made and before the rest and the commit; lets a
 * test break the connection there to prove that no half-done change survives.
 */
@FunctionalInterface
public interface MidTransactionHook {

    MidTransactionHook NONE = (operation, connection) -> { };

    /**
     * @param operation {@code assign}, {@code move}, {@code release}, {@code transfer ownership} or
     *     {@code remove ownership}
     * @param connection the transaction's connection
     */
    void reached(String operation, Connection connection) throws SQLException;
}
