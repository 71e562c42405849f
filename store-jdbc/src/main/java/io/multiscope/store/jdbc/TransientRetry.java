package io.multiscope.store.jdbc;

import io.multiscope.core.store.StoreException;
import io.multiscope.store.jdbc.internal.BoundedRetry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How {@link JdbcInventoryStore} repeats a call that failed transiently: a {@link StoreException} whose
 * {@link StoreException#isTransient()} is true (lost connection, serialization failure, deadlock, lock wait
 * timeout). Every attempt is a whole transaction that was rolled back, so repeating it is safe. Any other exception
 * must be passed through at once.
 *
 * <p>Adapt any retry library with a method reference or a small class, e.g. a policy with a
 * {@code <T> T get(Supplier<T>)} method: {@code builder.retry(policy::get)}.
 */
public interface TransientRetry {

    /** Runs {@code attempt}, repeating it while it fails transiently and this policy allows another attempt. */
    <T> T call(Supplier<T> attempt);

    /** Runs every call once; transient failures reach the caller. */
    static TransientRetry none() {
        return new TransientRetry() {
            @Override
            public <T> T call(Supplier<T> attempt) {
                return attempt.get();
            }
        };
    }

    /**
     * Up to {@code maxAttempts} attempts with exponential backoff and full jitter: before attempt {@code n + 1} it
     * waits a random time up to {@code min(maxDelay, initialDelay * 2^(n-1))}.
     */
    static TransientRetry exponential(int maxAttempts, Duration initialDelay, Duration maxDelay) {
        return new BoundedRetry(maxAttempts, initialDelay, maxDelay, io.multiscope.core.time.Sleeper.SYSTEM);
    }

    /** The default: 5 attempts, backoff from 10 ms up to 1 s. */
    static TransientRetry defaults() {
        return exponential(5, Duration.ofMillis(10), Duration.ofSeconds(1));
    }
}
