package io.multiscope.store.jdbc.backends;

import io.multiscope.core.time.VirtualClock;
import io.multiscope.store.jdbc.TransientRetry;
import java.time.Duration;

/** The store's default retry with its back-off in virtual time, so that tests never wait. */
public final class InstantRetry {

    private InstantRetry() {
    }

    public static TransientRetry create() {
        return TransientRetry.exponential(5, Duration.ofMillis(10), Duration.ofSeconds(1), VirtualClock.create());
    }
}
