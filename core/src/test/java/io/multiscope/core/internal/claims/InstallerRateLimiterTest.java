package io.multiscope.core.internal.claims;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.core.time.SettableClock;
import io.multiscope.core.time.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstallerRateLimiterTest {

    final VirtualClock clock = VirtualClock.create();

    @Test
    void eachInstallerHasItsOwnBucketRefilledInVirtualTime() {
        InstallerRateLimiter limiter = new InstallerRateLimiter(10, 3, 1000, clock);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("alice")).isEmpty();
        }
        assertThat(limiter.tryAcquire("alice")).contains(Duration.ofSeconds(6));
        assertThat(limiter.tryAcquire("bob")).isEmpty();

        clock.advance(Duration.ofSeconds(3));
        assertThat(limiter.tryAcquire("alice")).contains(Duration.ofSeconds(3));
        clock.advance(Duration.ofSeconds(3));
        assertThat(limiter.tryAcquire("alice")).isEmpty();
        assertThat(limiter.tryAcquire("alice")).isPresent();
    }

    @Test
    void aClaimWhoseClockReadingLostTheRaceIsNotRefusedWhileTheBucketHasTokens() {
        // Two claims of one installer at once: the one that read the clock first reaches the bucket second.
        SettableClock racing = new SettableClock(clock.instant());
        InstallerRateLimiter limiter = new InstallerRateLimiter(10, 10, 1000, racing);
        Instant start = racing.instant();

        racing.set(start.plusMillis(2));
        assertThat(limiter.tryAcquire("alice")).isEmpty();
        racing.set(start.plusMillis(1));
        assertThat(limiter.tryAcquire("alice")).isEmpty();
        for (int i = 0; i < 8; i++) {
            assertThat(limiter.tryAcquire("alice")).as("attempt %d", i + 3).isEmpty();
        }
        assertThat(limiter.tryAcquire("alice")).as("the eleventh").isPresent();
    }

    @Test
    void memoryStaysBoundedWithManyInstallers() {
        InstallerRateLimiter limiter = new InstallerRateLimiter(10, 10, 1000, clock);
        for (int i = 0; i < 20_000; i++) {
            limiter.tryAcquire("installer-" + i);
        }
        assertThat(limiter.trackedInstallers()).isLessThanOrEqualTo(1000);
    }

    @Test
    void aBucketIsForgottenOnceItWouldBeFullAgainAndForgettingChangesNothing() {
        InstallerRateLimiter limiter = new InstallerRateLimiter(10, 10, 1000, clock);
        for (int i = 0; i < 10; i++) {
            limiter.tryAcquire("alice");
        }
        limiter.tryAcquire("bob");
        assertThat(limiter.trackedInstallers()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(59));
        assertThat(limiter.trackedInstallers()).isEqualTo(2);
        assertThat(limiter.tryAcquire("alice")).isEmpty(); // refilled to about 9.8 by now

        clock.advance(Duration.ofSeconds(61));
        assertThat(limiter.trackedInstallers()).isZero();
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.tryAcquire("alice")).isEmpty();
        }
        assertThat(limiter.tryAcquire("alice")).isEqualTo(Optional.of(Duration.ofSeconds(6)));
    }
}
