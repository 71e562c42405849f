package io.multiscope.core.internal.claims;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.multiscope.core.admission.ThrottleFeedback;
import io.multiscope.core.internal.admission.TokenBucket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One token bucket per installer, counting claim attempts. Memory stays bounded however many installers there are:
 * a bucket nobody touched for as long as it takes to refill completely is dropped (a new one starts full, so
 * forgetting it changes nothing), and at most {@code maxInstallers} buckets are kept (beyond that the least recently
 * used go first: only then could an installer's budget reset early, so size it above the number of installers active
 * within one refill period).
 *
 * <p>Time comes from the clock alone (buckets and expiry), so the limiter runs in virtual time in tests.
 */
public final class InstallerRateLimiter {

    private final int perMinute;
    private final double burstMinutes;
    private final Clock clock;
    private final Cache<String, TokenBucket> buckets;

    public InstallerRateLimiter(int perMinute, int burst, long maxInstallers, Clock clock) {
        if (perMinute < 1 || burst < 1 || maxInstallers < 1) {
            throw new IllegalArgumentException("rate, burst and installer count must be positive");
        }
        this.perMinute = perMinute;
        this.burstMinutes = (double) burst / perMinute;
        this.clock = clock;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxInstallers)
                .expireAfterAccess(Duration.ofNanos((long) Math.ceil(burstMinutes * 60e9)))
                .ticker(this::now)
                .executor(Runnable::run)
                .build();
    }

    /** Counts one attempt: empty if it may go ahead, else how long until the installer's next one may. */
    public Optional<Duration> tryAcquire(String installerId) {
        long now = now();
        TokenBucket bucket = buckets.get(installerId,
                id -> new TokenBucket(perMinute, burstMinutes, ThrottleFeedback.defaults(), now));
        if (bucket.tryAcquire(now)) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(1, bucket.nanosUntilAvailable(now))));
    }

    /** Installers with a bucket in memory now, after dropping those due to go. */
    public long trackedInstallers() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private long now() {
        Instant instant = clock.instant();
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
