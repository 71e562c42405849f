package io.multiscope.store.jdbc.internal;

import io.multiscope.core.store.StoreException;
import io.multiscope.store.jdbc.TransientRetry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Runs units of work on connections from the application's {@link DataSource}: writes in one transaction at the
 * dialect's isolation, each call retried as a whole through the {@link TransientRetry}, database failures turned
 * into {@link StoreException}s naming the operation, device and instance.
 */
public final class Transactions {

    /** Work done on one connection; inside a transaction for {@link #write}. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection, Tx tx) throws SQLException;
    }

    /** Lets a unit of work end its transaction with a rollback without failing (a refusal after a write). */
    public static final class Tx {
        private boolean rollbackOnly;

        public void rollbackOnly() {
            rollbackOnly = true;
        }
    }

    private final DataSource dataSource;
    private final Dialect dialect;
    private final TransientRetry retry;

    public Transactions(DataSource dataSource, Dialect dialect, TransientRetry retry) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Runs {@code work} in a transaction, committed unless it throws or asks for a rollback. */
    public <T> T write(Operation operation, Work<T> work) {
        return retry.call(() -> once(operation, work, true));
    }

    /**
     * Runs {@code work} without opening a transaction: reads, or a single statement that is a transaction by itself.
     * (If the pool hands out connections without auto-commit, the implicit transaction is committed at the end.)
     */
    public <T> T withoutTransaction(Operation operation, Work<T> work) {
        return retry.call(() -> once(operation, work, false));
    }

    private <T> T once(Operation operation, Work<T> work, boolean transactional) {
        Connection connection = null;
        boolean restoreAutoCommit = false;
        int restoreIsolation = -1;
        try {
            connection = dataSource.getConnection();
            boolean autoCommit = connection.getAutoCommit();
            if (transactional) {
                int isolation = dialect.isolation() == Connection.TRANSACTION_NONE ? Connection.TRANSACTION_NONE
                        : connection.getTransactionIsolation();
                if (isolation != dialect.isolation()) {
                    connection.setTransactionIsolation(dialect.isolation());
                    restoreIsolation = isolation;
                }
                if (autoCommit) {
                    connection.setAutoCommit(false);
                    restoreAutoCommit = true;
                }
            }
            Tx tx = new Tx();
            T result = work.run(connection, tx);
            if (!connection.getAutoCommit()) {
                // A pool configured with autoCommit=false leaves even a read inside a transaction: end it here.
                if (tx.rollbackOnly) {
                    connection.rollback();
                } else {
                    connection.commit();
                }
            }
            return result;
        } catch (SQLException e) {
            rollbackQuietly(connection, e);
            throw failure(operation, e);
        } catch (RuntimeException | Error e) {
            rollbackQuietly(connection, e);
            throw e;
        } finally {
            release(connection, restoreAutoCommit, restoreIsolation);
        }
    }

    private StoreException failure(Operation operation, SQLException e) {
        boolean transientFailure = dialect.isTransient(e);
        String message = "JDBC inventory (" + dialect.kind().displayName() + "): " + operation.describe()
                + " failed" + (transientFailure ? " (transient, may be retried)" : "") + ": " + e.getMessage()
                + " [SQLSTATE " + e.getSQLState() + ", error " + e.getErrorCode() + "]";
        return new StoreException(message, operation.registrationId(), operation.instanceId(), transientFailure, e);
    }

    private static void rollbackQuietly(Connection connection, Throwable failure) {
        if (connection == null) {
            return;
        }
        try {
            if (!connection.isClosed() && !connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    private static void release(Connection connection, boolean restoreAutoCommit, int restoreIsolation) {
        if (connection == null) {
            return;
        }
        try {
            if (!connection.isClosed()) {
                if (restoreAutoCommit) {
                    connection.setAutoCommit(true);
                }
                if (restoreIsolation >= 0) {
                    connection.setTransactionIsolation(restoreIsolation);
                }
            }
        } catch (SQLException ignored) {
            // The connection is broken; closing it below lets the pool discard it.
        } finally {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Nothing to do: the work's outcome is already decided.
            }
        }
    }
}
