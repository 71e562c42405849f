package io.multiscope.core.internal.claims;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.core.time.VirtualClock;
import java.time.Duration;
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
