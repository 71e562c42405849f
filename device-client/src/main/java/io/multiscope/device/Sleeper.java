package io.multiscope.device;

import java.time.Duration;

/**
 * Waits. Injected into {@link DeviceProvisioner} so that stagger, backoff and offline waits can run in virtual time
 * in tests; the default {@link #system()} sleeps the calling thread.
 */
@FunctionalInterface
public interface Sleeper {

    /** Returns after {@code duration} (zero or positive) has passed. */
    void sleep(Duration duration) throws InterruptedException;

    /** {@link Thread#sleep(long)}. */
    static Sleeper system() {
        return duration -> {
            long millis = duration.toMillis();
            if (millis > 0) {
                Thread.sleep(millis);
            }
        };
    }
}
