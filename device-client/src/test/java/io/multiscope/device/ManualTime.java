package io.multiscope.device;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Virtual time for one device at a time: a clock that moves only when told to, and a sleeper that records each wait
 * and moves the clock by it instead of blocking. Starts at the real time, because the Azure SDK signs its SAS tokens
 * with the system clock and the emulator checks them against this one.
 */
final class ManualTime extends Clock implements Sleeper {

    private final AtomicReference<Instant> now;
    private final List<Duration> sleeps = new ArrayList<>();

    private ManualTime(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    static ManualTime startingNow() {
        return new ManualTime(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public synchronized void sleep(Duration duration) {
        sleeps.add(duration);
        advance(duration);
    }

    /** Every wait so far, in order. */
    synchronized List<Duration> sleeps() {
        return new ArrayList<>(sleeps);
    }

    synchronized void clearSleeps() {
        sleeps.clear();
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("not needed by these tests");
    }
}
