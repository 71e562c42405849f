package io.multiscope.core.admission;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.internal.admission.TokenBucket;
import io.multiscope.core.store.UnknownInstanceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Keeps each DPS instance under its registration quota, so that Multiscope defers devices itself instead of letting
 * DPS throttle them.
 *
 * <p>Each instance has a token bucket refilled continuously at its {@link DpsInstance#registrationsPerMinute()} (1,000
 * per minute by default) and holding up to {@link Builder#burst} worth of it (one minute by default). A registration
 * takes a token ({@link #tryAcquire}); when none of the eligible instances has one, the device is told to come back
 * later ({@link #deferral}), on a staggered schedule so that a storm of deferred devices returns at the rate the
 * budget refills rather than in one spike.
 *
 * <p>If DPS throttles an instance anyway ({@link #onThrottled}), that instance is paused for the {@code Retry-After}
 * DPS gave and its budget is cut, then grows back gradually while no further {@code 429} arrives; see
 * {@link ThrottleFeedback}.
 *
 * <p>Thread-safe. Instances do not share a lock, and an acquisition is lock-free (one compare-and-set). All time comes
 * from the injected {@link Clock}, so a {@link io.multiscope.core.time.VirtualClock} runs it in simulated time.
 */
public final class AdmissionControl {

    private final Clock clock;
    private final RandomGenerator random;
    private final Duration jitter;
    private final Duration burst;
    private final Duration maxDeferral;
    private final ThrottleFeedback feedback;
    private final ConcurrentMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    private AdmissionControl(Builder b) {
        this.clock = b.clock;
        this.random = b.random;
        this.jitter = b.jitter;
        this.burst = b.burst;
        this.maxDeferral = b.maxDeferral;
        this.feedback = b.feedback;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the instance's budget (a full bucket), or applies a changed quota to an existing one. A budget cut by
     * throttling keeps its share of the new quota; tokens beyond the new capacity are dropped.
     */
    public void configure(DpsInstance instance) {
        Objects.requireNonNull(instance, "instance");
        long now = now();
        buckets.compute(instance.id(), (id, bucket) -> {
            if (bucket == null) {
                return new TokenBucket(instance.registrationsPerMinute(), burstMinutes(), feedback, now);
            }
            bucket.resize(instance.registrationsPerMinute(), now);
            return bucket;
        });
    }

    /** Forgets the instance's budget; returns whether it had one. */
    public boolean remove(String instanceId) {
        return buckets.remove(Objects.requireNonNull(instanceId, "instanceId")) != null;
    }

    public boolean isConfigured(String instanceId) {
        return buckets.containsKey(Objects.requireNonNull(instanceId, "instanceId"));
    }

    /**
     * How many registrations the instance's budget allows right now (whole tokens); 0 while it is paused.
     *
     * @throws UnknownInstanceException if the instance was never {@linkplain #configure configured}
     */
    public long headroom(String instanceId) {
        return bucket(instanceId).headroom(now());
    }

    /**
     * Takes one registration from the instance's budget if it has one.
     *
     * @throws UnknownInstanceException if the instance was never {@linkplain #configure configured}
     */
    public boolean tryAcquire(String instanceId) {
        return bucket(instanceId).tryAcquire(now());
    }

    /**
     * How long until the instance's budget has a registration to give ({@link Duration#ZERO} if it has one now).
     *
     * @throws UnknownInstanceException if the instance was never {@linkplain #configure configured}
     */
    public Duration timeUntilAvailable(String instanceId) {
        return Duration.ofNanos(bucket(instanceId).nanosUntilAvailable(now()));
    }

    /**
     * The current budget of the instance, in registrations per minute: its quota, or less after a {@code 429}.
     *
     * @throws UnknownInstanceException if the instance was never {@linkplain #configure configured}
     */
    public double ratePerMinute(String instanceId) {
        return bucket(instanceId).ratePerMinute(now());
    }

    /**
     * The {@code Retry-After} for a device none of whose eligible instances has headroom.
     *
     * <p>Each call books the earliest free slot among the instances: a slot is when a token appears, and successive
     * slots of one instance are one token interval apart (1/rate), so deferred devices are told to come back at the
     * pace the budgets refill. A random jitter in {@code [0, jitter]} is added so they do not arrive on the exact
     * instant either. When every instance is booked beyond {@link Builder#maxDeferral}, the device gets a uniformly
     * random time between the soonest slot and {@code maxDeferral} (plus jitter): the backlog is then larger than the
     * budget can serve in that window, and spreading it evenly is the best that can be done.
     *
     * <p>The schedule is advice, not a reservation: tokens go to whoever asks first. Callers that send the value as an
     * HTTP {@code Retry-After} round it up to whole seconds.
     *
     * @param instanceIds the instances the device could go to (at least one)
     * @throws UnknownInstanceException if one of them was never {@linkplain #configure configured}
     */
    public Duration deferral(Collection<String> instanceIds) {
        Objects.requireNonNull(instanceIds, "instanceIds");
        if (instanceIds.isEmpty()) {
            throw new IllegalArgumentException("deferral needs at least one instance id");
        }
        long now = now();
        long horizon = maxDeferral.toNanos();
        while (true) {
            TokenBucket soonest = null;
            long soonestSlot = Long.MAX_VALUE;
            for (String id : instanceIds) {
                TokenBucket bucket = bucket(id);
                long slot = bucket.peekSlot(now);
                if (slot < soonestSlot) {
                    soonest = bucket;
                    soonestSlot = slot;
                }
            }
            long wait;
            if (soonestSlot - now > horizon) {
                // Overbooked everywhere: spread over the window instead of piling up at its end.
                long earliest = Math.min(horizon, minTimeUntilAvailable(instanceIds, now));
                wait = earliest + randomUpTo(horizon - earliest);
            } else {
                long slot = soonest.book(now, horizon);
                if (slot < 0) {
                    continue; // others booked it meanwhile; look again
                }
                wait = slot - now;
            }
            return Duration.ofNanos(wait + randomUpTo(jitter.toNanos()));
        }
    }

    /**
     * DPS answered {@code 429} for the instance: pause it for {@code retryAfter} (if DPS gave one) and cut its budget
     * as {@link ThrottleFeedback} says; it then grows back gradually while no further {@code 429} arrives.
     *
     * @throws UnknownInstanceException if the instance was never {@linkplain #configure configured}
     */
    public void onThrottled(String instanceId, Optional<Duration> retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        long now = now();
        // A pause longer than maxDeferral is not believed: one odd header must not take an instance out for a day.
        long resumeAt = retryAfter.filter(d -> !d.isNegative())
                .map(d -> now + (d.compareTo(maxDeferral) > 0 ? maxDeferral : d).toNanos())
                .orElse(Long.MIN_VALUE);
        bucket(instanceId).onThrottled(now, resumeAt);
    }

    private long minTimeUntilAvailable(Collection<String> instanceIds, long now) {
        long min = Long.MAX_VALUE;
        for (String id : instanceIds) {
            min = Math.min(min, bucket(id).nanosUntilAvailable(now));
        }
        return min;
    }

    private TokenBucket bucket(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        TokenBucket bucket = buckets.get(instanceId);
        if (bucket == null) {
            throw new UnknownInstanceException(instanceId);
        }
        return bucket;
    }

    private long now() {
        Instant instant = clock.instant();
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    private double burstMinutes() {
        return burst.toNanos() / 60e9;
    }

    /** Uniform in [0, boundInclusive]. */
    private long randomUpTo(long boundInclusive) {
        if (boundInclusive <= 0) {
            return 0;
        }
        if (random == null) {
            return ThreadLocalRandom.current().nextLong(boundInclusive + 1);
        }
        // An injected generator need not be thread-safe; only deferrals use it, never the acquisition path.
        synchronized (random) {
            return random.nextLong(boundInclusive + 1);
        }
    }

    /**
     * Builds an {@link AdmissionControl}; each setter rejects a bad value with an {@link IllegalArgumentException}.
     * Defaults: the system UTC clock, a thread-local random, 1 s jitter, a burst of one minute of quota, deferrals
     * scheduled at most 10 minutes ahead, {@link ThrottleFeedback#defaults()}.
     */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random;
        private Duration jitter = Duration.ofSeconds(1);
        private Duration burst = Duration.ofMinutes(1);
        private Duration maxDeferral = Duration.ofMinutes(10);
        private ThrottleFeedback feedback = ThrottleFeedback.defaults();

        private Builder() {
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The source of deferral jitter; need not be thread-safe (it is used under a lock). */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** The most random time added to a deferral ({@code >= 0}, at most one hour). */
        public Builder jitter(Duration jitter) {
            Objects.requireNonNull(jitter, "jitter");
            if (jitter.isNegative() || jitter.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("jitter must be >= 0 and at most one hour, was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /**
         * How much of the rate an idle instance may spend at once: the bucket holds {@code rate × burst} tokens (at
         * least one). One minute (the default) lets an idle instance take a full minute's quota straight away; a
         * shorter burst keeps every short window closer to the quota, at the price of idle time not being saved up.
         */
        public Builder burst(Duration burst) {
            Objects.requireNonNull(burst, "burst");
            if (burst.isNegative() || burst.isZero() || burst.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("burst must be > 0 and at most one day, was " + burst);
            }
            this.burst = burst;
            return this;
        }

        /**
         * The longest deferral handed out (before jitter), and the longest pause a {@code Retry-After} from DPS can
         * impose on an instance. {@code > 0}, at most one day.
         */
        public Builder maxDeferral(Duration maxDeferral) {
            Objects.requireNonNull(maxDeferral, "maxDeferral");
            if (maxDeferral.isNegative() || maxDeferral.isZero() || maxDeferral.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("maxDeferral must be > 0 and at most one day, was " + maxDeferral);
            }
            this.maxDeferral = maxDeferral;
            return this;
        }

        public Builder feedback(ThrottleFeedback feedback) {
            this.feedback = Objects.requireNonNull(feedback, "feedback");
            return this;
        }

        public AdmissionControl build() {
            return new AdmissionControl(this);
        }
    }
}
