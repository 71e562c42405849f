package io.multiscope.testkit.internal.dps;

import io.multiscope.testkit.RequestCounters;
import io.multiscope.testkit.RequestKind;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link RequestCounters}, written by the request handlers. */
public final class InstanceCounters implements RequestCounters {

    private final Map<RequestKind, LongAdder> requests = new EnumMap<>(RequestKind.class);
    private final Map<RequestKind, LongAdder> handled = new EnumMap<>(RequestKind.class);
    private final Map<RequestKind, LongAdder> handlingNanos = new EnumMap<>(RequestKind.class);
    private final LongAdder throttled = new LongAdder();
    private final LongAdder faults = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder unauthorized = new LongAdder();
    private final LongAdder assigned = new LongAdder();
    private final LongAdder notAssigned = new LongAdder();

    public InstanceCounters() {
        for (RequestKind kind : RequestKind.values()) {
            requests.put(kind, new LongAdder());
            handled.put(kind, new LongAdder());
            handlingNanos.put(kind, new LongAdder());
        }
    }

    public void received(RequestKind kind) {
        requests.get(kind).increment();
    }

    /** Records how long the emulator spent on one request (excluding injected delays). */
    public void handled(RequestKind kind, long nanos) {
        handled.get(kind).increment();
        handlingNanos.get(kind).add(nanos);
    }

    public void throttledOne() {
        throttled.increment();
    }

    public void faultInjected() {
        faults.increment();
    }

    public void droppedOne() {
        dropped.increment();
    }

    public void unauthorizedOne() {
        unauthorized.increment();
    }

    public void outcome(boolean wasAssigned) {
        (wasAssigned ? assigned : notAssigned).increment();
    }

    public void reset() {
        for (RequestKind kind : RequestKind.values()) {
            requests.get(kind).reset();
            handled.get(kind).reset();
            handlingNanos.get(kind).reset();
        }
        throttled.reset();
        faults.reset();
        dropped.reset();
        unauthorized.reset();
        assigned.reset();
        notAssigned.reset();
    }

    @Override
    public long count(RequestKind kind) {
        return requests.get(kind).sum();
    }

    @Override
    public long throttled() {
        return throttled.sum();
    }

    @Override
    public long faultsInjected() {
        return faults.sum();
    }

    @Override
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public long unauthorized() {
        return unauthorized.sum();
    }

    @Override
    public long assigned() {
        return assigned.sum();
    }

    @Override
    public long notAssigned() {
        return notAssigned.sum();
    }

    @Override
    public long meanHandlingNanos(RequestKind kind) {
        long n = handled.get(kind).sum();
        return n == 0 ? 0 : handlingNanos.get(kind).sum() / n;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RequestCounters[");
        for (RequestKind kind : RequestKind.values()) {
            sb.append(kind).append('=').append(count(kind)).append(", ");
        }
        return sb.append("throttled=").append(throttled()).append(", faults=").append(faultsInjected())
                .append(", dropped=").append(dropped()).append(", unauthorized=").append(unauthorized())
                .append(", assigned=").append(assigned()).append(", notAssigned=").append(notAssigned())
                .append(']').toString();
    }
}
