package io.multiscope.core.internal.proxy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One circuit per DPS instance. After {@code threshold} registrations in a row failed transiently (retries
 * exhausted), the circuit opens: the instance gets no new devices and its own devices get a transient error at once,
 * without a call to DPS. After {@code openFor} one trial registration is let through (half-open); its success closes
 * the circuit, its failure opens it again. Time comes from the injected clock.
 */
public final class CircuitBreakers {

    /** @param openUntil null while closed; trialInFlight only matters once openUntil has passed */
    private record State(int failures, Instant openUntil, boolean trialInFlight) {
        static final State CLOSED = new State(0, null, false);
    }

    private final Clock clock;
    private final int threshold;
    private final Duration openFor;
    private final ConcurrentMap<String, AtomicReference<State>> circuits = new ConcurrentHashMap<>();

    public CircuitBreakers(Clock clock, int threshold, Duration openFor) {
        this.clock = clock;
        this.threshold = threshold;
        this.openFor = openFor;
    }

    /** Whether a call to the instance could start now (closed, or half-open with no trial running). */
    public boolean available(String instanceId) {
        State s = state(instanceId).get();
        return s.openUntil == null || (!clock.instant().isBefore(s.openUntil) && !s.trialInFlight);
    }

    /**
     * Claims the right to call the instance: always while closed; the single trial once the open time has passed.
     * A claim that is not followed by {@link #onSuccess} or {@link #onFailure} must be {@link #release}d.
     */
    public boolean tryAcquire(String instanceId) {
        AtomicReference<State> ref = state(instanceId);
        while (true) {
            State s = ref.get();
            if (s.openUntil == null) {
                return true;
            }
            if (clock.instant().isBefore(s.openUntil) || s.trialInFlight) {
                return false;
            }
            if (ref.compareAndSet(s, new State(s.failures, s.openUntil, true))) {
                return true;
            }
        }
    }

    /** Gives back a claim that led to no call. */
    public void release(String instanceId) {
        state(instanceId).updateAndGet(s -> s.trialInFlight ? new State(s.failures, s.openUntil, false) : s);
    }

    public void onSuccess(String instanceId) {
        state(instanceId).set(State.CLOSED);
    }

    /** Records a failed registration; returns true if the circuit is open afterwards. */
    public boolean onFailure(String instanceId) {
        Instant now = clock.instant();
        State after = state(instanceId).updateAndGet(s -> {
            int failures = s.failures + 1;
            if (s.trialInFlight || failures >= threshold) {
                return new State(failures, now.plus(openFor), false);
            }
            return new State(failures, s.openUntil, false);
        });
        return after.openUntil != null;
    }

    /** How long until the instance may be tried again, if its circuit is open. */
    public Optional<Duration> remaining(String instanceId) {
        State s = state(instanceId).get();
        if (s.openUntil == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(clock.instant(), s.openUntil);
        return Optional.of(left.isNegative() ? Duration.ZERO : left);
    }

    public boolean isOpen(String instanceId) {
        return state(instanceId).get().openUntil != null;
    }

    private AtomicReference<State> state(String instanceId) {
        return circuits.computeIfAbsent(instanceId, id -> new AtomicReference<>(State.CLOSED));
    }
}
