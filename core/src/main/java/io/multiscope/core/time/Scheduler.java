package io.multiscope.core.time;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task later; injected so that timed work (waking queued requests when a DPS budget refills) can run in
 * virtual time ({@link VirtualScheduler}) in tests and simulations.
 */
public interface Scheduler {

    /** A scheduled task that can be cancelled. */
    @FunctionalInterface
    interface Scheduled {
        /** Cancels the task if it has not run yet; harmless after it ran. */
        void cancel();
    }

    /** Runs {@code task} once, {@code delay} from now (at once for a zero or negative delay), on a scheduler thread. */
    Scheduled schedule(Duration delay, Runnable task);

    /**
     * A scheduler on one daemon thread of its own; {@link AutoCloseable#close()} stops it. Tasks should be short: they
     * run one after the other.
     */
    static SystemScheduler system(String threadName) {
        return new SystemScheduler(threadName);
    }

    /** The {@link #system} scheduler: a single-threaded {@link ScheduledExecutorService}. */
    final class SystemScheduler implements Scheduler, AutoCloseable {
        private final ScheduledThreadPoolExecutor executor;

        private SystemScheduler(String threadName) {
            executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
        }

        @Override
        public Scheduled schedule(Duration delay, Runnable task) {
            ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
