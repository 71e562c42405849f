package io.multiscope.device.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.device.CircuitBreakerPolicy;
import io.multiscope.device.FailureKind;
import io.multiscope.device.ProvisioningEvent.Step;
import io.multiscope.device.RetryBudget;
import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The shape of every random wait: bounds, and that full jitter really spreads over the whole range. */
class DelaysTest {

    final Delays delays = new Delays(new Random(1));
    final RetryBudget budget = RetryBudget.builder().initialBackoff(Duration.ofSeconds(2))
            .maxBackoff(Duration.ofSeconds(60)).build();

    static AttemptFailure failure(Duration retryAfter) {
        return new AttemptFailure(FailureKind.TRANSIENT, Step.DPS_REGISTER, 503, retryAfter, "x", null);
    }

    @Test
    void fullJitterSpreadsOverZeroToTheExponentialCeiling() {
        for (int n = 1; n <= 8; n++) {
            long ceiling = Math.min(60_000, 2_000L << (n - 1));
            LongSummaryStatistics stats = new LongSummaryStatistics();
            for (int i = 0; i < 2_000; i++) {
                stats.accept(delays.retry(budget, n, failure(null)).toMillis());
            }
            assertThat(stats.getMin()).as("failure %d", n).isGreaterThanOrEqualTo(0).isLessThan(ceiling / 20);
            assertThat(stats.getMax()).as("failure %d", n).isLessThanOrEqualTo(ceiling).isGreaterThan(ceiling * 19 / 20);
            assertThat(stats.getAverage()).as("failure %d", n).isBetween(ceiling * 0.4, ceiling * 0.6);
        }
    }

    @Test
    void aRetryAfterIsNeverShortenedAndAtMostTenPercentLonger() {
        for (int i = 0; i < 1_000; i++) {
            Duration d = delays.retry(budget, 1 + i % 9, failure(Duration.ofSeconds(30)));
            assertThat(d).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(33));
        }
        // A Retry-After beyond the backoff cap is still honoured: the server knows its schedule.
        assertThat(delays.retry(budget, 1, failure(Duration.ofMinutes(5)))).isGreaterThanOrEqualTo(
                Duration.ofMinutes(5));
    }

    @Test
    void staggerAndCircuitOpenTimesStayInTheirWindows() {
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.builder().openDuration(Duration.ofMinutes(10))
                .maxOpenDuration(Duration.ofMinutes(30)).build();
        for (int i = 0; i < 1_000; i++) {
            assertThat(delays.stagger(Duration.ofSeconds(30))).isBetween(Duration.ZERO, Duration.ofSeconds(30));
            assertThat(delays.openFor(policy, 1)).isBetween(Duration.ofMinutes(5), Duration.ofMinutes(10));
            assertThat(delays.openFor(policy, 2)).isBetween(Duration.ofMinutes(10), Duration.ofMinutes(20));
            assertThat(delays.openFor(policy, 5)).isBetween(Duration.ofMinutes(15), Duration.ofMinutes(30));
        }
        assertThat(delays.stagger(Duration.ZERO)).isZero();
    }
}
