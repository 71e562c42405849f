package io.multiscope.core.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.store.InventoryStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Device assignments cached in front of the store, so that known devices (a reboot storm) cost memory reads, not
 * store round trips. Keys are normalised registration ids. The lifetime bounds how long a node may serve an
 * assignment another node moved or removed.
 */
public final class AssignmentCache {

    private final InventoryStore store;
    private final Cache<String, DeviceAssignment> cache;
    private final LongAdder hits = new LongAdder();

    public AssignmentCache(InventoryStore store, long maximumSize, Duration expireAfterWrite, Ticker ticker) {
        this.store = store;
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(expireAfterWrite).ticker(ticker)
                .build();
    }

    /** The assignment of a normalised registration id, from the cache or else the store (then cached). */
    public Optional<DeviceAssignment> find(String registrationId) {
        DeviceAssignment cached = cache.getIfPresent(registrationId);
        if (cached != null) {
            hits.increment();
            return Optional.of(cached);
        }
        Optional<DeviceAssignment> stored = store.findAssignment(registrationId);
        stored.ifPresent(this::put);
        return stored;
    }

    /** Records what the store now holds for this device. */
    public void put(DeviceAssignment assignment) {
        cache.put(assignment.registrationId(), assignment);
    }

    public void invalidate(String registrationId) {
        cache.invalidate(registrationId);
    }

    /** Look-ups answered without the store since start. */
    public long hits() {
        return hits.sum();
    }
}
