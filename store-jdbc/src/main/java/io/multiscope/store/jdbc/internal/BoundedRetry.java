package io.multiscope.store.jdbc.internal;

import io.multiscope.core.store.StoreException;
import io.multiscope.core.time.Sleeper;
import io.multiscope.store.jdbc.TransientRetry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal bounded retry with exponential backoff and full jitter, retrying only transient {@link StoreException}s.
 * Stands in until the store is wired to the core retry policy.
 */
public final class BoundedRetry implements TransientRetry {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedRetry.class);

    private final int maxAttempts;
    private final long initialDelayNanos;
    private final long maxDelayNanos;
    private final Sleeper sleeper;

    public BoundedRetry(int maxAttempts, Duration initialDelay, Duration maxDelay, Sleeper sleeper) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay, were " + initialDelay + " and "
                    + maxDelay);
        }
        this.maxAttempts = maxAttempts;
        this.initialDelayNanos = initialDelay.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    @Override
    public <T> T call(Supplier<T> attempt) {
        for (int n = 1; ; n++) {
            try {
                return attempt.get();
            } catch (StoreException e) {
                if (!e.isTransient() || n >= maxAttempts) {
                    throw e;
                }
                LOG.debug("Attempt {} of {} failed transiently, retrying: {}", n, maxAttempts, e.getMessage());
                pause(n, e);
            }
        }
    }

    private void pause(int attemptsSoFar, StoreException cause) {
        long ceiling = Math.min(maxDelayNanos, initialDelayNanos << Math.min(attemptsSoFar - 1, 30));
        if (ceiling <= 0) {
            return;
        }
        try {
            sleeper.sleep(Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling + 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cause.addSuppressed(e);
            throw cause;
        }
    }
}
