package io.multiscope.core.ownership;

import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.RegistrationIds;
import io.multiscope.core.store.ConcurrentUpdateException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A thread-safe {@link OwnershipRegistry} in memory, for tests, demos and single-node trials; its content is lost when
 * the process ends. Each device's record and history change together under one lock per device, so a transfer and its
 * history entry are never seen apart.
 */
public final class InMemoryOwnershipRegistry implements OwnershipRegistry {

    private static final int MAX_PAGE = 10_000;

    private final Clock clock;
    /** Sorted so {@link #ownedBy} pages in registration-id order. */
    private final ConcurrentSkipListMap<String, Entry> devices = new ConcurrentSkipListMap<>();

    public InMemoryOwnershipRegistry() {
        this(Clock.systemUTC());
    }

    /** A registry that stamps records and transfers with {@code clock}. */
    public InMemoryOwnershipRegistry(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private static final class Entry {
        Ownership record;
        final List<OwnershipTransfer> history = new ArrayList<>();

        Entry(Ownership record) {
            this.record = record;
        }
    }

    @Override
    public OwnershipOutcome register(NewOwnership device) {
        Objects.requireNonNull(device, "device");
        String id = RegistrationIds.requireNormalised(device.registrationId());
        OwnerIds.check(device.owner());
        Instant now = clock.instant();
        Entry fresh = new Entry(new Ownership(id, device.owner(), device.activeInstanceId(), device.claim(), 1, now,
                now));
        while (true) {
            Entry existing = devices.putIfAbsent(id, fresh);
            if (existing == null) {
                return new OwnershipOutcome.Created(fresh.record);
            }
            synchronized (existing) {
                if (existing.record != null) {
                    return new OwnershipOutcome.Existing(existing.record);
                }
            }
            // removed while we looked: its entry is on its way out of the map
            devices.remove(id, existing);
        }
    }

    @Override
    public Optional<Ownership> find(String registrationId) {
        Entry e = devices.get(RegistrationIds.requireNormalised(registrationId));
        if (e == null) {
            return Optional.empty();
        }
        synchronized (e) {
            return Optional.ofNullable(e.record); // null: removed since the map lookup
        }
    }

    @Override
    public Ownership update(Ownership updated) {
        Objects.requireNonNull(updated, "updated");
        String id = RegistrationIds.requireNormalised(updated.registrationId());
        Entry e = entry(id);
        synchronized (e) {
            Ownership current = current(e, id, updated.version());
            if (!current.owner().equals(updated.owner())) {
                throw new InvalidRequestException("owner-change-needs-transfer", "Device '" + id + "' is owned by '"
                        + current.owner() + "'; change the owner with a transfer, which records it", id);
            }
            e.record = new Ownership(id, current.owner(), updated.activeInstanceId(), updated.claim(),
                    current.version() + 1, current.createdAt(), clock.instant());
            return e.record;
        }
    }

    @Override
    public Ownership transfer(TransferRequest request) {
        Objects.requireNonNull(request, "request");
        String id = RegistrationIds.requireNormalised(request.registrationId());
        OwnerIds.check(request.newOwner());
        Entry e = entry(id);
        synchronized (e) {
            Ownership current = current(e, id, request.expectedVersion());
            Instant now = clock.instant();
            e.history.add(new OwnershipTransfer(id, e.history.size() + 1L, current.owner(), request.newOwner(),
                    current.activeInstanceId(), request.newActiveInstanceId(), request.actor(), now));
            e.record = new Ownership(id, request.newOwner(), request.newActiveInstanceId(), current.claim(),
                    current.version() + 1, current.createdAt(), now);
            return e.record;
        }
    }

    @Override
    public List<OwnershipTransfer> history(String registrationId) {
        Entry e = devices.get(RegistrationIds.requireNormalised(registrationId));
        if (e == null) {
            return List.of();
        }
        synchronized (e) {
            return e.record == null ? List.of() : List.copyOf(e.history);
        }
    }

    @Override
    public OwnershipPage ownedBy(String owner, Optional<String> afterRegistrationId, int limit) {
        OwnerIds.check(owner);
        Objects.requireNonNull(afterRegistrationId, "afterRegistrationId");
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", was " + limit);
        }
        Map<String, Entry> tail = afterRegistrationId.isPresent()
                ? devices.tailMap(afterRegistrationId.get(), false) : devices;
        List<Ownership> page = new ArrayList<>();
        for (Entry e : tail.values()) {
            Ownership record;
            synchronized (e) {
                record = e.record;
            }
            if (record != null && record.owner().equals(owner)) {
                if (page.size() == limit) {
                    return new OwnershipPage(page, Optional.of(page.get(limit - 1).registrationId()));
                }
                page.add(record);
            }
        }
        return new OwnershipPage(page, Optional.empty());
    }

    @Override
    public boolean remove(String registrationId, long expectedVersion) {
        String id = RegistrationIds.requireNormalised(registrationId);
        Entry e = devices.get(id);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            if (e.record == null) {
                return false;
            }
            current(e, id, expectedVersion);
            e.record = null;
            devices.remove(id, e);
            return true;
        }
    }

    private Entry entry(String id) {
        Entry e = devices.get(id);
        if (e == null) {
            throw new OwnershipNotFoundException(id);
        }
        return e;
    }

    /** The entry's record if it is at {@code expectedVersion}; a removed entry counts as not found. */
    private static Ownership current(Entry e, String id, long expectedVersion) {
        if (e.record == null) {
            throw new OwnershipNotFoundException(id);
        }
        if (e.record.version() != expectedVersion) {
            throw ConcurrentUpdateException.ofOwnership(id, expectedVersion);
        }
        return e.record;
    }
}
