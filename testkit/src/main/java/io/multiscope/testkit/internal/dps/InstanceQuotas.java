package io.multiscope.testkit.internal.dps;

import io.multiscope.testkit.InstanceSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The DPS rate limits of one instance, counted in the emulator's clock: registrations per minute, service operations
 * per minute, and operation-status polls per device per 10 seconds. Over a limit, a request gets 429 with an integer
 * {@code Retry-After}.
 */
public final class InstanceQuotas {

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration POLL_WINDOW = Duration.ofSeconds(10);
    private static final int PRUNE_THRESHOLD = 10_000;

    private final InstanceSettings settings;
    private final Clock clock;
    private volatile SlidingWindowLimit registrations;
    private volatile SlidingWindowLimit operations;
    private final ConcurrentMap<String, SlidingWindowLimit> pollsByDevice = new ConcurrentHashMap<>();

    public InstanceQuotas(InstanceSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        reset();
    }

    /** @throws DpsError 429 when the registrations-per-minute quota is used up */
    public void registration() {
        check(registrations.tryAcquire(clock.instant()));
    }

    /** @throws DpsError 429 when the service-operations-per-minute quota is used up */
    public void serviceOperation() {
        check(operations.tryAcquire(clock.instant()));
    }

    /** @throws DpsError 429 when this device has polled too often in the last 10 seconds */
    public void poll(String registrationKey) {
        if (pollsByDevice.size() > PRUNE_THRESHOLD) {
            pollsByDevice.values().removeIf(limit -> limit.isIdle(clock.instant()));
        }
        SlidingWindowLimit limit = pollsByDevice.computeIfAbsent(registrationKey,
                k -> new SlidingWindowLimit(settings.pollsPerDevicePer10Seconds(), POLL_WINDOW));
        check(limit.tryAcquire(clock.instant()));
    }

    public void reset() {
        registrations = new SlidingWindowLimit(settings.registrationsPerMinute(), MINUTE);
        operations = new SlidingWindowLimit(settings.operationsPerMinute(), MINUTE);
        pollsByDevice.clear();
    }

    private static void check(int retryAfterSeconds) {
        if (retryAfterSeconds > 0) {
            throw DpsError.throttled(retryAfterSeconds);
        }
    }
}
