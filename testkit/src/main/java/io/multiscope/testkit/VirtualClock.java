package io.multiscope.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that only moves when told to, for testing quotas and expiry in simulated time. Thread-safe.
 *
 * <p>Start it near the real time ({@link #startingNow()}) when real SDKs are involved: they sign SAS tokens with the
 * system clock, and the emulator checks token expiry against its own clock.
 */
public final class VirtualClock extends Clock {

    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private VirtualClock(Instant start, ZoneId zone) {
        this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    public static VirtualClock at(Instant start) {
        return new VirtualClock(start, ZoneOffset.UTC);
    }

    /** A clock stopped at the current system time. */
    public static VirtualClock startingNow() {
        return at(Instant.now());
    }

    /** Moves the clock forward (or back, for a negative duration). */
    public VirtualClock advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        now.updateAndGet(t -> t.plus(duration));
        return this;
    }

    public VirtualClock set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
        return this;
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        // A view on the same time source, so advancing this clock moves it too.
        return sharedView(newZone);
    }

    private Clock sharedView(ZoneId newZone) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return newZone;
            }

            @Override
            public Clock withZone(ZoneId z) {
                return VirtualClock.this.withZone(z);
            }

            @Override
            public Instant instant() {
                return VirtualClock.this.instant();
            }
        };
    }

    @Override
    public String toString() {
        return "VirtualClock[" + instant() + "]";
    }
}
