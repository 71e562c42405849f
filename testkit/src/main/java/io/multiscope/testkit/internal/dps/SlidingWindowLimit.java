package io.multiscope.testkit.internal.dps;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * At most {@code limit} events in any window of the given length: a log of event times. Exact rather than a token
 * bucket, so that "the 61st request within a minute" is refused and the wait until a slot frees is precise.
 */
final class SlidingWindowLimit {

    private final int limit;
    private final Duration window;
    private final ArrayDeque<Instant> events = new ArrayDeque<>();

    SlidingWindowLimit(int limit, Duration window) {
        this.limit = limit;
        this.window = window;
    }

    /**
     * Records an event at {@code now} if the limit allows it.
     *
     * @return 0 if recorded, otherwise the whole seconds (at least 1) until a slot frees
     */
    synchronized int tryAcquire(Instant now) {
        Instant cutoff = now.minus(window);
        while (!events.isEmpty() && !events.peekFirst().isAfter(cutoff)) {
            events.pollFirst();
        }
        if (events.size() < limit) {
            events.addLast(now);
            return 0;
        }
        Duration wait = Duration.between(now, events.peekFirst().plus(window));
        long seconds = (wait.toMillis() + 999) / 1000;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
    }

    /** Whether no event in the window is still recorded at {@code now}. */
    synchronized boolean isIdle(Instant now) {
        Instant cutoff = now.minus(window);
        return events.isEmpty() || !events.peekLast().isAfter(cutoff);
    }
}
