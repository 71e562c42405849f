package io.multiscope.core.time;

import java.time.Duration;

/** Waits; injected so that waiting can happen in virtual time ({@link VirtualClock}). */
@FunctionalInterface
public interface Sleeper {

    /** Waits in real time with {@link Thread#sleep}. */
    Sleeper SYSTEM = duration -> Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));

    void sleep(Duration duration) throws InterruptedException;
}
