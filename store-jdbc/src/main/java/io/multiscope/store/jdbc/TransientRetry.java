package io.multiscope.store.jdbc;

import io.multiscope.core.store.StoreException;
import io.multiscope.core.retry.RetryPolicy;
import io.multiscope.core.time.Sleeper;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How {@link JdbcInventoryStore} repeats a call that failed transiently: a {@link StoreException} whose
 * {@link StoreException#isTransient()} is true (lost connection, serialization failure, deadlock, lock wait
 * timeout). Every attempt is a whole transaction that was rolled back, so repeating it is safe. Any other exception
 * must be passed through at once.
 *
 * <p>The built-in hooks run on the core {@link RetryPolicy}; any other retry library adapts with a method reference
 * or a small class.
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
        return exponential(maxAttempts, initialDelay, maxDelay, Sleeper.SYSTEM);
    }

    /** As {@link #exponential(int, Duration, Duration)}, waiting through {@code sleeper} (virtual time in tests). */
    static TransientRetry exponential(int maxAttempts, Duration initialDelay, Duration maxDelay, Sleeper sleeper) {
        return of(RetryPolicy.builder().maxAttempts(maxAttempts).baseDelay(initialDelay).maxDelay(maxDelay)
                .sleeper(sleeper).build());
    }

    /**
     * Runs every call through {@code policy}, retrying transient {@link StoreException}s only (the policy's own retry
     * predicate is replaced; every attempt is a whole rolled-back transaction, other failures are final).
     */
    static TransientRetry of(RetryPolicy policy) {
        RetryPolicy transientOnly = policy.toBuilder()
                .retryIf(e -> e instanceof StoreException s && s.isTransient())
                .build();
        return new TransientRetry() {
            @Override
            public <T> T call(Supplier<T> attempt) {
                return transientOnly.execute(attempt::get);
            }
        };
    }

    /** The default: 5 attempts, backoff from 10 ms up to 1 s. */
    static TransientRetry defaults() {
        return exponential(5, Duration.ofMillis(10), Duration.ofSeconds(1));
    }
}
