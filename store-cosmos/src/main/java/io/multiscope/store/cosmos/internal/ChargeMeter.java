package io.multiscope.store.cosmos.internal;

import io.multiscope.store.cosmos.RequestChargeListener;
import java.util.function.Supplier;

/**
 * Adds up the requests and request units of one store operation. The store blocks on every request in the caller's
 * thread, so a thread-local tally sees exactly the operation's own requests.
 */
public final class ChargeMeter {

    private static final class Tally {
        int requests;
        double units;
    }

    private final RequestChargeListener listener;
    private final ThreadLocal<Tally> current = new ThreadLocal<>();

    public ChargeMeter(RequestChargeListener listener) {
        this.listener = listener;
    }

    /** Runs a store operation, then reports what it cost (also when it fails). */
    public <T> T measure(String operation, Supplier<T> body) {
        if (listener == null || current.get() != null) {
            return body.get(); // nested call: the outer operation reports
        }
        Tally tally = new Tally();
        current.set(tally);
        try {
            return body.get();
        } finally {
            current.remove();
            listener.charged(operation, tally.requests, tally.units);
        }
    }

    void add(double requestUnits) {
        Tally tally = current.get();
        if (tally != null) {
            tally.requests++;
            tally.units += requestUnits;
        }
    }
}
