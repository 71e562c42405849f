package io.multiscope.core.admission;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link AdmissionControl} reacts when DPS throttles an instance anyway (a {@code 429}): it cuts that instance's
 * budget multiplicatively, then lets it grow back additively while no further {@code 429} arrives, up to the
 * configured quota ("AIMD", as TCP does). The quota in the configuration is what DPS documents; a {@code 429} proves
 * that, right now, it is less (other clients share the instance, DPS has a bad minute), and this is how the budget
 * finds the real figure without hammering DPS.
 *
 * <p>Immutable. Defaults ({@link #defaults()}): halve on a {@code 429}, never below 5 % of the quota (and never below
 * one registration per minute), grow back by 10 % of the quota per minute (from half to full in five minutes), and
 * count the {@code 429}s of one burst as one: after a cut, further cuts wait 5 seconds, since the requests already in
 * flight when DPS started throttling all come back with a {@code 429} too.
 */
public final class ThrottleFeedback {

    private static final ThrottleFeedback DEFAULTS = builder().build();

    private final double decreaseFactor;
    private final double floor;
    private final double recoveryPerMinute;
    private final Duration cooldown;

    private ThrottleFeedback(Builder b) {
        this.decreaseFactor = b.decreaseFactor;
        this.floor = b.floor;
        this.recoveryPerMinute = b.recoveryPerMinute;
        this.cooldown = b.cooldown;
    }

    public static ThrottleFeedback defaults() {
        return DEFAULTS;
    }

    /** A {@code 429} only pauses the instance for its {@code Retry-After}; the budget stays at the quota. */
    public static ThrottleFeedback pauseOnly() {
        return builder().decreaseFactor(1.0).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The budget is multiplied by this on a {@code 429}, in {@code (0, 1]}; 1 keeps it. */
    public double decreaseFactor() {
        return decreaseFactor;
    }

    /** The smallest budget, as a fraction of the quota, in {@code (0, 1]}. */
    public double floor() {
        return floor;
    }

    /** How much of the quota the budget regains per minute without a {@code 429}, {@code > 0}. */
    public double recoveryPerMinute() {
        return recoveryPerMinute;
    }

    /** After a cut, further {@code 429}s within this time do not cut again (they still pause). */
    public Duration cooldown() {
        return cooldown;
    }

    @Override
    public String toString() {
        return "ThrottleFeedback[decreaseFactor=" + decreaseFactor + ", floor=" + floor + ", recoveryPerMinute="
                + recoveryPerMinute + ", cooldown=" + cooldown + "]";
    }

    /** Builds a {@link ThrottleFeedback}; each setter rejects a bad value with an {@link IllegalArgumentException}. */
    public static final class Builder {
        private double decreaseFactor = 0.5;
        private double floor = 0.05;
        private double recoveryPerMinute = 0.1;
        private Duration cooldown = Duration.ofSeconds(5);

        private Builder() {
        }

        public Builder decreaseFactor(double factor) {
            this.decreaseFactor = fraction("decreaseFactor", factor);
            return this;
        }

        public Builder floor(double fractionOfQuota) {
            this.floor = fraction("floor", fractionOfQuota);
            return this;
        }

        public Builder recoveryPerMinute(double fractionOfQuota) {
            if (!(fractionOfQuota > 0.0) || Double.isInfinite(fractionOfQuota)) {
                throw new IllegalArgumentException("recoveryPerMinute must be a finite fraction of the quota > 0, was "
                        + fractionOfQuota);
            }
            this.recoveryPerMinute = fractionOfQuota;
            return this;
        }

        public Builder cooldown(Duration cooldown) {
            Objects.requireNonNull(cooldown, "cooldown");
            if (cooldown.isNegative()) {
                throw new IllegalArgumentException("cooldown must not be negative, was " + cooldown);
            }
            this.cooldown = cooldown;
            return this;
        }

        public ThrottleFeedback build() {
            return new ThrottleFeedback(this);
        }

        private static double fraction(String name, double value) {
            if (!(value > 0.0 && value <= 1.0)) {
                throw new IllegalArgumentException(name + " must be within (0, 1], was " + value);
            }
            return value;
        }
    }
}
