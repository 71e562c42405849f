package io.multiscope.core.internal.proxy;

import io.multiscope.core.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Requests waiting for a DPS budget, and the one scheduled task that serves them: it wakes when the next token may
 * appear or the next waiter's time is up, whichever comes first, expires waiters whose time is up, then lets the
 * others try, oldest first. Waiting costs an entry, never a thread. Time comes from the injected clock and
 * scheduler, so it runs in virtual time in tests.
 */
public final class WaitQueue<T> {

    /** What the queue needs from its owner. */
    public interface Handler<T> {
        /** Starts the entry if budget allows; false to keep it waiting. Must not throw. */
        boolean tryStart(T entry);

        /** The entry's time is up (or the queue closes): answer it. Must not throw. */
        void expire(T entry);

        Instant deadline(T entry);

        /** How long until some instance may have budget again. */
        Duration nextBudgetIn();
    }

    private static final Duration MIN_DELAY = Duration.ofMillis(1);

    private final WaitList<T> entries;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Handler<T> handler;
    private final Object lock = new Object();
    private Scheduler.Scheduled pump;
    private Instant pumpAt;
    private boolean closed;

    public WaitQueue(int capacity, Clock clock, Scheduler scheduler, Handler<T> handler) {
        this.entries = new WaitList<>(capacity);
        this.clock = clock;
        this.scheduler = scheduler;
        this.handler = handler;
    }

    /** Queues the entry unless the queue is full (false: nothing queued). */
    public boolean offer(T entry) {
        if (!entries.offer(entry)) {
            return false;
        }
        schedule();
        return true;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    public int capacity() {
        return entries.capacity();
    }

    /** Stops the pump and expires every waiting entry. */
    public void close() {
        synchronized (lock) {
            closed = true;
            if (pump != null) {
                pump.cancel();
                pump = null;
            }
        }
        drain(handler::expire);
    }

    private void drain(Consumer<T> action) {
        for (T entry : entries.snapshot()) {
            if (entries.remove(entry)) {
                action.accept(entry);
            }
        }
    }

    private void schedule() {
        Instant now = clock.instant();
        Duration wait = handler.nextBudgetIn();
        Instant at = now.plus(wait.compareTo(MIN_DELAY) < 0 ? MIN_DELAY : wait);
        for (T entry : entries.snapshot()) {
            Instant deadline = handler.deadline(entry);
            if (deadline.isBefore(at)) {
                at = deadline;
            }
        }
        synchronized (lock) {
            if (closed || (pump != null && !pumpAt.isAfter(at))) {
                return;
            }
            if (pump != null) {
                pump.cancel();
            }
            pumpAt = at;
            pump = scheduler.schedule(Duration.between(now, at), this::pump);
        }
    }

    private void pump() {
        synchronized (lock) {
            pump = null;
            pumpAt = null;
        }
        Instant now = clock.instant();
        for (T entry : entries.snapshot()) {
            if (!now.isBefore(handler.deadline(entry))) {
                if (entries.remove(entry)) {
                    handler.expire(entry);
                }
            } else if (handler.tryStart(entry)) {
                entries.remove(entry);
            }
        }
        if (!entries.isEmpty()) {
            schedule();
        }
    }
}
