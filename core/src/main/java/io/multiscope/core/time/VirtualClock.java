package io.multiscope.core.time;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to, for tests and storm simulations in virtual time. Serves as a
 * {@link Clock}, a Caffeine {@link Ticker} and a {@link Sleeper} (sleeping advances the clock), so every time-based
 * part of Multiscope can share one.
 */
public final class VirtualClock extends Clock implements Ticker, Sleeper {

    private final AtomicLong nanos;
    private final long epochNanosAtZero;
    private final ZoneId zone;

    private VirtualClock(long epochNanosAtZero, AtomicLong nanos, ZoneId zone) {
        this.epochNanosAtZero = epochNanosAtZero;
        this.nanos = nanos;
        this.zone = zone;
    }

    /** A clock that starts at {@code start}. */
    public static VirtualClock startingAt(Instant start) {
        long epochNanos = Math.multiplyExact(start.getEpochSecond(), 1_000_000_000L) + start.getNano();
        return new VirtualClock(epochNanos, new AtomicLong(), ZoneOffset.UTC);
    }

    /**
     * A clock stopped at the current system time: use it where real SDKs sign SAS tokens with the system clock and
     * the other side checks their expiry against this one.
     */
    public static VirtualClock startingNow() {
        return startingAt(Instant.now());
    }

    /** A clock that starts at 2026-01-01T00:00:00Z. */
    public static VirtualClock create() {
        return startingAt(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** Moves the clock forward. */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a clock cannot go back: " + duration);
        }
        nanos.addAndGet(duration.toNanos());
    }

    /** Sleeping in virtual time advances the clock by the duration and returns at once. */
    @Override
    public void sleep(Duration duration) {
        advance(duration);
    }

    /** Nanoseconds since this clock was created (for Caffeine and other monotonic readers). */
    @Override
    public long read() {
        return nanos.get();
    }

    @Override
    public Instant instant() {
        long epochNanos = epochNanosAtZero + nanos.get();
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** The same virtual time seen in another zone; advancing either advances both. */
    @Override
    public Clock withZone(ZoneId newZone) {
        return new VirtualClock(epochNanosAtZero, nanos, newZone);
    }

    @Override
    public String toString() {
        return "VirtualClock[" + instant() + "]";
    }
}
