package io.multiscope.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.StoreException;
import io.multiscope.core.time.VirtualClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The store's retry hook on the core RetryPolicy, in virtual time. */
class TransientRetryTest {

    private final VirtualClock clock = VirtualClock.create();
    private final TransientRetry retry = TransientRetry.exponential(4, Duration.ofMillis(10), Duration.ofMillis(25), clock);

    private static StoreException failure(boolean transientFailure) {
        return new StoreException("boom", "dev-1", "dps-a", transientFailure, null);
    }

    @Test
    void transientFailuresAreRetriedUntilOneAttemptSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        String result = retry.call(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw failure(true);
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(3);
        assertThat(clock.read()).as("waited at most 10 ms + 20 ms").isLessThanOrEqualTo(Duration.ofMillis(30).toNanos());
    }

    @Test
    void afterTheLastAttemptTheTransientFailureReachesTheCaller() {
        AtomicInteger attempts = new AtomicInteger();
        StoreException last = failure(true);
        assertThatThrownBy(() -> retry.call(() -> {
            attempts.incrementAndGet();
            throw last;
        })).isSameAs(last);
        assertThat(attempts).hasValue(4);
        assertThat(clock.read()).as("backoff capped at 25 ms").isLessThanOrEqualTo(Duration.ofMillis(10 + 20 + 25).toNanos());
    }

    @Test
    void otherFailuresAreNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.call(() -> {
            attempts.incrementAndGet();
            throw failure(false);
        })).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> retry.call(() -> {
            attempts.incrementAndGet();
            throw new ConcurrentUpdateException("dev-1", 1, 2);
        })).isInstanceOf(ConcurrentUpdateException.class);
        assertThat(attempts).hasValue(2);
        assertThat(clock.read()).isZero();
    }

    @Test
    void anInterruptedWaitEndsTheRetriesAndKeepsTheInterrupt() {
        TransientRetry interrupted = TransientRetry.exponential(5, Duration.ofMillis(10), Duration.ofMillis(10), d -> {
            throw new InterruptedException();
        });
        StoreException cause = failure(true);
        try {
            assertThatThrownBy(() -> interrupted.call(() -> {
                throw cause;
            })).isSameAs(cause).satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
