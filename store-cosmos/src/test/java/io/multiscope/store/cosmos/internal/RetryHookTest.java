package io.multiscope.store.cosmos.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.time.VirtualClock;
import io.multiscope.store.cosmos.CosmosStoreException;
import io.multiscope.store.cosmos.RetryHook;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The store's retry hook on the core RetryPolicy, in virtual time. */
class RetryHookTest {

    private final VirtualClock clock = VirtualClock.create();
    private final RetryHook retry = RetryHook.bounded(4, Duration.ofMillis(10), Duration.ofMillis(100), clock);

    private static CosmosStoreException throttled(Duration retryAfter) {
        return new CosmosStoreException("429", "dev-1", null, 429, 3200, retryAfter, true, null);
    }

    @Test
    void retriesTransientFailuresWaitingAtLeastTheServersRetryAfter() {
        AtomicInteger attempts = new AtomicInteger();
        String result = retry.run("read", () -> {
            if (attempts.incrementAndGet() < 3) {
                throw throttled(Duration.ofMillis(250));
            }
            return "ok";
        });
        assertThat(result).isEqualTo("ok");
        assertThat(attempts).hasValue(3);
        assertThat(clock.read()).as("two waits of at least 250 ms").isGreaterThanOrEqualTo(500_000_000L);
    }

    @Test
    void givesUpAfterMaxAttemptsAndRethrowsTheLastFailure() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.run("read", () -> {
            attempts.incrementAndGet();
            throw throttled(null);
        })).isInstanceOf(CosmosStoreException.class);
        assertThat(attempts).hasValue(4);
        assertThat(clock.read()).as("three backoffs of at most 10, 20, 40 ms").isLessThanOrEqualTo(70_000_000L);
    }

    @Test
    void doesNotRetryPermanentFailures() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.run("write", () -> {
            attempts.incrementAndGet();
            throw new CosmosStoreException("400", null, null, 400, 0, null, false, null);
        })).isInstanceOf(CosmosStoreException.class);
        assertThat(attempts).hasValue(1);
        assertThat(clock.read()).isZero();
    }

    @Test
    void classifiesStatusesTheWayTheIssueAsks() {
        for (int status : new int[] {408, 410, 429, 449, 503}) {
            assertThat(Errors.isTransient(status)).as("%d", status).isTrue();
        }
        for (int status : new int[] {400, 401, 403, 404, 409, 412, 413, 500}) {
            assertThat(Errors.isTransient(status)).as("%d", status).isFalse();
        }
    }
}
