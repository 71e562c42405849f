package io.multiscope.device.internal;

import io.multiscope.device.CircuitBreakerPolicy;
import io.multiscope.device.RetryBudget;
import java.time.Duration;
import java.util.Random;

/** Every random wait the provisioner makes, from one injected random source. */
final class Delays {

    private final Random random;

    Delays(Random random) {
        this.random = random;
    }

    /** Uniform in {@code [0, window]}: spreads a fleet's first network calls over the window. */
    Duration stagger(Duration window) {
        return uniform(0, window.toMillis());
    }

    /**
     * What to wait after the {@code failures}-th failure: the server's Retry-After plus up to the budget's jitter
     * fraction of it, or else full jitter in {@code [0, ceiling(failures)]}.
     */
    Duration retry(RetryBudget budget, int failures, AttemptFailure failure) {
        if (failure.retryAfter().isPresent()) {
            long asked = failure.retryAfter().get().toMillis();
            return Duration.ofMillis(asked).plus(uniform(0, (long) (asked * budget.retryAfterJitter())));
        }
        return uniform(0, budget.backoffCeiling(failures).toMillis());
    }

    /** Between half and all of the nominal open time, so a fleet's circuits do not all half-open together. */
    Duration openFor(CircuitBreakerPolicy policy, int timesOpened) {
        long nominal = policy.nominalOpenDuration(timesOpened).toMillis();
        return uniform(nominal / 2, nominal);
    }

    private Duration uniform(long fromMillis, long toMillis) {
        if (toMillis <= fromMillis) {
            return Duration.ofMillis(fromMillis);
        }
        long span = toMillis - fromMillis;
        long offset;
        synchronized (random) {
            offset = (long) Math.floor(random.nextDouble() * (span + 1));
        }
        return Duration.ofMillis(fromMillis + Math.min(offset, span));
    }
}
