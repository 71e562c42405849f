package io.multiscope.core.time;

import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Scheduler} in virtual time: tasks run only when the test moves time on with {@link #advance}, on the
 * calling thread, in the order of their due times, with the {@link VirtualClock} set to each task's due time while it
 * runs. Thread-safe.
 */
public final class VirtualScheduler implements Scheduler {

    private record Task(long dueNanos, long sequence, Runnable action) {
    }

    private final VirtualClock clock;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
            ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.sequence, b.sequence));
    private final AtomicLong sequence = new AtomicLong();

    public VirtualScheduler(VirtualClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public VirtualClock clock() {
        return clock;
    }

    @Override
    public Scheduled schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        Task t = new Task(clock.read() + Math.max(0, delay.toNanos()), sequence.incrementAndGet(), task);
        synchronized (tasks) {
            tasks.add(t);
        }
        return () -> {
            synchronized (tasks) {
                tasks.remove(t);
            }
        };
    }

    /** Runs the tasks that are due now (scheduled with no delay, or at the current time). */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /**
     * Moves time on by {@code duration}, running each task that falls due on the way (including tasks those tasks
     * schedule within the window), then leaves the clock at the end of the window.
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time cannot go back: " + duration);
        }
        long end = clock.read() + duration.toNanos();
        while (true) {
            Task next;
            synchronized (tasks) {
                next = tasks.peek();
                if (next == null || next.dueNanos > end) {
                    break;
                }
                tasks.poll();
            }
            long now = clock.read();
            if (next.dueNanos > now) {
                clock.advance(Duration.ofNanos(next.dueNanos - now));
            }
            next.action.run();
        }
        long now = clock.read();
        if (end > now) {
            clock.advance(Duration.ofNanos(end - now));
        }
    }

    /** Tasks waiting to run. */
    public int pending() {
        synchronized (tasks) {
            return tasks.size();
        }
    }
}
