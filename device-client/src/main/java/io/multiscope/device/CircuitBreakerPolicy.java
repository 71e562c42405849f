package io.multiscope.device;

import java.time.Duration;
import java.util.Objects;

/**
 * When the device stops trying for a while. After {@link #failureThreshold()} consecutive failed attempts (across
 * runs and reboots: the count is persisted) the circuit <b>opens</b>: calls return the unprovisioned default state at
 * once, without touching the network. After the open time it is <b>half-open</b>: the next call may make attempts
 * again, but its first failure re-opens the circuit for twice as long (up to {@link #maxOpenDuration()}); a success
 * closes it.
 *
 * <p>Throttling (HTTP 429) does not count as a failure: the service is up and scheduling the device, and the retry
 * budget bounds how long the device follows its advice. The time a circuit stays open is randomised to between half
 * and all of the nominal value, so that a fleet whose circuits opened together in an outage does not come back
 * together. Immutable.
 */
public final class CircuitBreakerPolicy {

    private static final CircuitBreakerPolicy DEFAULTS = builder().build();

    private final int failureThreshold;
    private final Duration openDuration;
    private final Duration maxOpenDuration;

    private CircuitBreakerPolicy(Builder b) {
        this.failureThreshold = b.failureThreshold;
        this.openDuration = b.openDuration;
        this.maxOpenDuration = b.maxOpenDuration;
    }

    /** 5 consecutive failures open the circuit for 10 minutes, doubling on each re-open up to 4 hours. */
    public static CircuitBreakerPolicy defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Consecutive failed attempts that open the circuit. */
    public int failureThreshold() {
        return failureThreshold;
    }

    /** How long the circuit stays open the first time (before randomisation). */
    public Duration openDuration() {
        return openDuration;
    }

    /** The longest the circuit stays open however often it re-opens (before randomisation). */
    public Duration maxOpenDuration() {
        return maxOpenDuration;
    }

    /** The nominal open time after the circuit has opened {@code timesOpened} times in a row (1 or more). */
    public Duration nominalOpenDuration(int timesOpened) {
        int doublings = Math.max(0, Math.min(timesOpened - 1, 40));
        long base = openDuration.toMillis();
        long millis = base > (Long.MAX_VALUE >> doublings) ? Long.MAX_VALUE : base << doublings;
        return Duration.ofMillis(Math.min(millis, maxOpenDuration.toMillis()));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CircuitBreakerPolicy)) {
            return false;
        }
        CircuitBreakerPolicy other = (CircuitBreakerPolicy) o;
        return failureThreshold == other.failureThreshold && openDuration.equals(other.openDuration)
                && maxOpenDuration.equals(other.maxOpenDuration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(failureThreshold, openDuration, maxOpenDuration);
    }

    @Override
    public String toString() {
        return "CircuitBreakerPolicy[open after " + failureThreshold + " failures for " + openDuration + ".."
                + maxOpenDuration + "]";
    }

    /** Builds a {@link CircuitBreakerPolicy}; each setter rejects a bad value and leaves the builder unchanged. */
    public static final class Builder {
        private int failureThreshold = 5;
        private Duration openDuration = Duration.ofMinutes(10);
        private Duration maxOpenDuration = Duration.ofHours(4);

        private Builder() {
        }

        /** 1 to 100. */
        public Builder failureThreshold(int failures) {
            if (failures < 1 || failures > 100) {
                throw new IllegalArgumentException("failureThreshold must be 1 to 100, was " + failures);
            }
            this.failureThreshold = failures;
            return this;
        }

        /** More than zero, at most 7 days. */
        public Builder openDuration(Duration duration) {
            this.openDuration = positive(duration, "openDuration");
            return this;
        }

        /** More than zero, at most 7 days; not below {@link #openDuration} (checked by {@link #build}). */
        public Builder maxOpenDuration(Duration duration) {
            this.maxOpenDuration = positive(duration, "maxOpenDuration");
            return this;
        }

        /** @throws IllegalArgumentException if maxOpenDuration is below openDuration */
        public CircuitBreakerPolicy build() {
            if (maxOpenDuration.compareTo(openDuration) < 0) {
                throw new IllegalArgumentException("maxOpenDuration " + maxOpenDuration + " is below openDuration "
                        + openDuration);
            }
            return new CircuitBreakerPolicy(this);
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero() || value.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException(name + " must be more than zero and at most 7 days, was " + value);
            }
            return value;
        }
    }
}
