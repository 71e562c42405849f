package io.multiscope.device.internal;

import java.time.Instant;
import java.util.Objects;

/** The circuit breaker's persisted state: consecutive failures, and until when it is open. Immutable. */
final class CircuitState {

    static final CircuitState CLOSED = new CircuitState(0, null, 0);

    final int consecutiveFailures;
    /** Null when closed; in the past when half-open. */
    final Instant openUntil;
    /** How often it opened in a row (resets on success): makes each re-open longer. */
    final int timesOpened;

    CircuitState(int consecutiveFailures, Instant openUntil, int timesOpened) {
        this.consecutiveFailures = consecutiveFailures;
        this.openUntil = openUntil;
        this.timesOpened = timesOpened;
    }

    boolean isClosed() {
        return consecutiveFailures == 0 && openUntil == null && timesOpened == 0;
    }

    boolean isOpenAt(Instant now) {
        return openUntil != null && now.isBefore(openUntil);
    }

    /** Open, with its time passed: the next run is the trial. */
    boolean isHalfOpenAt(Instant now) {
        return openUntil != null && !now.isBefore(openUntil);
    }

    CircuitState failed() {
        return new CircuitState(consecutiveFailures + 1, openUntil, timesOpened);
    }

    CircuitState openedUntil(Instant until) {
        return new CircuitState(consecutiveFailures, until, timesOpened + 1);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CircuitState)) {
            return false;
        }
        CircuitState other = (CircuitState) o;
        return consecutiveFailures == other.consecutiveFailures && Objects.equals(openUntil, other.openUntil)
                && timesOpened == other.timesOpened;
    }

    @Override
    public int hashCode() {
        return Objects.hash(consecutiveFailures, openUntil, timesOpened);
    }

    @Override
    public String toString() {
        return "CircuitState[failures=" + consecutiveFailures + ", openUntil=" + openUntil + ", opened="
                + timesOpened + "]";
    }
}
