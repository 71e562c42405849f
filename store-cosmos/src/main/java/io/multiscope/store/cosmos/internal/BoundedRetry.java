package io.multiscope.store.cosmos.internal;

import io.multiscope.core.store.StoreException;
import io.multiscope.core.time.Sleeper;
import io.multiscope.store.cosmos.CosmosStoreException;
import io.multiscope.store.cosmos.RetryHook;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small retry loop for transient Cosmos DB failures: exponential backoff with full jitter, never shorter than the
 * server's retry-after. Stands in until the store is wired to the core {@code RetryPolicy}.
 */
public final class BoundedRetry implements RetryHook {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedRetry.class);

    private final int maxAttempts;
    private final Duration base;
    private final Duration cap;
    private final Sleeper sleeper;

    public BoundedRetry(int maxAttempts, Duration base, Duration cap, Sleeper sleeper) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.base = Objects.requireNonNull(base, "base");
        this.cap = Objects.requireNonNull(cap, "cap");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    public static BoundedRetry defaults() {
        return new BoundedRetry(5, Duration.ofMillis(50), Duration.ofSeconds(2), Sleeper.SYSTEM);
    }

    @Override
    public <T> T run(String operation, Supplier<T> attempt) {
        for (int n = 1; ; n++) {
            try {
                return attempt.get();
            } catch (StoreException e) {
                if (!e.isTransient() || n >= maxAttempts) {
                    throw e;
                }
                Duration wait = delay(n, e);
                LOG.debug("{} failed transiently (attempt {} of {}), retrying in {} ms: {}", operation, n,
                        maxAttempts, wait.toMillis(), e.getMessage());
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    e.addSuppressed(interrupted);
                    throw e;
                }
            }
        }
    }

    /** Full jitter over the exponential step, floored at the server's retry-after. */
    Duration delay(int attempt, StoreException failure) {
        long ceiling = Math.min(cap.toNanos(), base.toNanos() << Math.min(attempt - 1, 20));
        long jittered = ThreadLocalRandom.current().nextLong(ceiling + 1);
        long floor = failure instanceof CosmosStoreException c
                ? c.retryAfter().map(Duration::toNanos).orElse(0L) : 0L;
        return Duration.ofNanos(Math.max(jittered, floor));
    }
}
