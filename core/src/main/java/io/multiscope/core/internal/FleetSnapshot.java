package io.multiscope.core.internal;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.store.InventoryStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The instance registry and per-instance counts, re-read from the store at most once per refresh interval.
 *
 * <p>Strategies use counts only to balance, never to enforce capacity (the store does that atomically), so a
 * slightly old count is harmless, and reading all counters on every request would put the store's hottest rows on
 * the hot path of every device.
 */
public final class FleetSnapshot {

    /** One consistent read of the registry and the counts. */
    public record View(List<DpsInstance> instances, Map<String, Long> counts) {
    }

    private final InventoryStore store;
    private final LongSupplier nanoTime;
    private final long refreshNanos;
    private volatile View view;
    private volatile long readAt;

    public FleetSnapshot(InventoryStore store, LongSupplier nanoTime, Duration refreshInterval) {
        this.store = store;
        this.nanoTime = nanoTime;
        this.refreshNanos = refreshInterval.toNanos();
    }

    public View current() {
        View v = view;
        if (v == null || nanoTime.getAsLong() - readAt >= refreshNanos) {
            synchronized (this) {
                if (view == v) {
                    readAt = nanoTime.getAsLong();
                    view = new View(store.instances(), store.assignedCounts());
                }
                v = view;
            }
        }
        return v;
    }

    /** Forces the next {@link #current()} to read the store (after a refusal showed the view was stale). */
    public void invalidate() {
        synchronized (this) {
            view = null;
        }
    }
}
