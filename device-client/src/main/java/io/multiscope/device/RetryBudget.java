package io.multiscope.device;

import java.time.Duration;
import java.util.Objects;

/**
 * How hard one provisioning run tries: at most {@link #maxAttempts()} attempts within {@link #maxElapsed()}, waiting
 * between attempts either what the service asked for ({@code Retry-After}, plus up to {@link #retryAfterJitter()}
 * more) or, when it asked for nothing, an <b>exponential backoff with full jitter</b>: after the n-th failure a
 * uniformly random time in {@code [0, min(maxBackoff, initialBackoff × 2^(n-1))]}. Immutable.
 *
 * <p>First provisioning and reprovisioning have separate budgets ({@link #firstProvisioning()},
 * {@link #reprovisioning()}): a device that has never been provisioned is useless until it is, so it tries harder
 * and sooner; a device being moved still has a working assignment, so it can be patient.
 */
public final class RetryBudget {

    private static final RetryBudget FIRST = builder().maxAttempts(10).maxElapsed(Duration.ofMinutes(30))
            .initialBackoff(Duration.ofSeconds(2)).maxBackoff(Duration.ofMinutes(2)).build();
    private static final RetryBudget REPROVISIONING = builder().maxAttempts(5).maxElapsed(Duration.ofHours(1))
            .initialBackoff(Duration.ofSeconds(10)).maxBackoff(Duration.ofMinutes(10)).build();

    private final int maxAttempts;
    private final Duration maxElapsed;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double retryAfterJitter;

    private RetryBudget(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.maxElapsed = b.maxElapsed;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.retryAfterJitter = b.retryAfterJitter;
    }

    /**
     * The default for a device's first provisioning: 10 attempts within 30 minutes, backoff from 2 s up to 2 min,
     * Retry-After plus up to 10 %.
     */
    public static RetryBudget firstProvisioning() {
        return FIRST;
    }

    /**
     * The default for reprovisioning: 5 attempts within 1 hour, backoff from 10 s up to 10 min, Retry-After plus up
     * to 10 %.
     */
    public static RetryBudget reprovisioning() {
        return REPROVISIONING;
    }

    /** A builder starting from the {@link #firstProvisioning()} values. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this budget's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxAttempts = maxAttempts;
        b.maxElapsed = maxElapsed;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.retryAfterJitter = retryAfterJitter;
        return b;
    }

    /** Attempts in one run, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** How long one run may take, counted from its first attempt; no wait is started that would end later. */
    public Duration maxElapsed() {
        return maxElapsed;
    }

    /** The backoff ceiling after the first failure. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** The largest backoff ceiling. A server's Retry-After is honoured even when longer. */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * The most added to a server's Retry-After, as a fraction of it (0.1 = up to 10 % more), so that devices told
     * the same time do not all return at the same instant.
     */
    public double retryAfterJitter() {
        return retryAfterJitter;
    }

    /** The backoff ceiling after {@code failures} failures (1 or more): {@code min(max, initial × 2^(failures-1))}. */
    public Duration backoffCeiling(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1, was " + failures);
        }
        int doublings = Math.min(failures - 1, 40);
        long initial = initialBackoff.toMillis();
        long ceiling = initial > (Long.MAX_VALUE >> doublings) ? Long.MAX_VALUE : initial << doublings;
        return Duration.ofMillis(Math.min(ceiling, maxBackoff.toMillis()));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RetryBudget)) {
            return false;
        }
        RetryBudget other = (RetryBudget) o;
        return maxAttempts == other.maxAttempts && maxElapsed.equals(other.maxElapsed)
                && initialBackoff.equals(other.initialBackoff) && maxBackoff.equals(other.maxBackoff)
                && Double.compare(retryAfterJitter, other.retryAfterJitter) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, maxElapsed, initialBackoff, maxBackoff, retryAfterJitter);
    }

    @Override
    public String toString() {
        return "RetryBudget[" + maxAttempts + " attempts within " + maxElapsed + ", backoff " + initialBackoff + ".."
                + maxBackoff + ", Retry-After +" + Math.round(retryAfterJitter * 100) + "%]";
    }

    /** Builds a {@link RetryBudget}; each setter rejects a bad value and leaves the builder unchanged. */
    public static final class Builder {
        private int maxAttempts = 10;
        private Duration maxElapsed = Duration.ofMinutes(30);
        private Duration initialBackoff = Duration.ofSeconds(2);
        private Duration maxBackoff = Duration.ofMinutes(2);
        private double retryAfterJitter = 0.1;

        private Builder() {
        }

        /** 1 to 1,000; 1 means no retry. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 1000) {
                throw new IllegalArgumentException("maxAttempts must be 1 to 1000, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** More than zero, at most 7 days. */
        public Builder maxElapsed(Duration maxElapsed) {
            this.maxElapsed = positive(maxElapsed, "maxElapsed", Duration.ofDays(7));
            return this;
        }

        /** More than zero, at most 1 day. */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = positive(initialBackoff, "initialBackoff", Duration.ofDays(1));
            return this;
        }

        /** More than zero, at most 1 day; must not be below {@link #initialBackoff} (checked by {@link #build}). */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = positive(maxBackoff, "maxBackoff", Duration.ofDays(1));
            return this;
        }

        /** 0 (exactly the server's value) to 1 (up to twice it). */
        public Builder retryAfterJitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("retryAfterJitter must be between 0 and 1, was " + fraction);
            }
            this.retryAfterJitter = fraction;
            return this;
        }

        /** @throws IllegalArgumentException if maxBackoff is below initialBackoff */
        public RetryBudget build() {
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below initialBackoff "
                        + initialBackoff);
            }
            return new RetryBudget(this);
        }

        private static Duration positive(Duration value, String name, Duration max) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be more than zero and at most " + max + ", was "
                        + value);
            }
            return value;
        }
    }
}
