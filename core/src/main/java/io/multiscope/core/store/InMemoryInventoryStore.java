package io.multiscope.core.store;

import io.multiscope.core.AssignmentState;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.RegistrationIds;
import io.multiscope.core.ownership.InMemoryOwnershipRegistry;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.spi.InstanceState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A thread-safe {@link InventoryStore} in memory: the default for tests, demos and single-node trials. Its content
 * is lost when the process ends.
 *
 * <p>Each device's record changes inside {@link ConcurrentHashMap#compute}, so operations on one device are
 * serialised; an instance's count is an {@link AtomicLong} reserved with compare-and-set before a record is created,
 * so the capacity check holds at the last free slot without a global lock.
 */
public final class InMemoryInventoryStore implements InventoryStore {

    private static final int MAX_PAGE = 10_000;

    private final Clock clock;
    private final ConcurrentHashMap<String, InstanceEntry> instances = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DeviceAssignment> assignments = new ConcurrentHashMap<>();
    private final OwnershipRegistry ownership;

    public InMemoryInventoryStore() {
        this(Clock.systemUTC());
    }

    /** A store that stamps records with {@code clock}. */
    public InMemoryInventoryStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ownership = new InMemoryOwnershipRegistry(clock);
    }

    /** An {@link InMemoryOwnershipRegistry} on the same clock. */
    @Override
    public OwnershipRegistry ownership() {
        return ownership;
    }

    private static final class InstanceEntry {
        final AtomicReference<DpsInstance> config;
        final AtomicLong count = new AtomicLong();
        final NavigableSet<String> devices = new ConcurrentSkipListSet<>();

        InstanceEntry(DpsInstance config) {
            this.config = new AtomicReference<>(config);
        }

        /** Takes a slot if the instance is active and not full. */
        AssignOutcome.Reason tryReserve() {
            DpsInstance current = config.get();
            if (current.state() != InstanceState.ACTIVE) {
                return AssignOutcome.Reason.NOT_ACTIVE;
            }
            while (true) {
                long n = count.get();
                if (n >= current.capacity()) {
                    return AssignOutcome.Reason.FULL;
                }
                if (count.compareAndSet(n, n + 1)) {
                    return null;
                }
            }
        }
    }

    @Override
    public void upsertInstance(DpsInstance instance) {
        Objects.requireNonNull(instance, "instance");
        instances.compute(instance.id(), (id, existing) -> {
            if (existing == null) {
                return new InstanceEntry(instance);
            }
            existing.config.set(instance);
            return existing;
        });
    }

    @Override
    public Optional<DpsInstance> findInstance(String instanceId) {
        InstanceEntry e = instances.get(instanceId);
        return e == null ? Optional.empty() : Optional.of(e.config.get());
    }

    @Override
    public List<DpsInstance> instances() {
        List<DpsInstance> list = new ArrayList<>();
        instances.values().forEach(e -> list.add(e.config.get()));
        list.sort(Comparator.comparing(DpsInstance::id));
        return list;
    }

    @Override
    public DpsInstance setInstanceState(String instanceId, InstanceState state) {
        Objects.requireNonNull(state, "state");
        return entry(instanceId).config.updateAndGet(c -> c.withState(state));
    }

    @Override
    public long assignedCount(String instanceId) {
        return entry(instanceId).count.get();
    }

    @Override
    public Map<String, Long> assignedCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (DpsInstance i : instances()) {
            counts.put(i.id(), instances.get(i.id()).count.get());
        }
        return counts;
    }

    @Override
    public Optional<DeviceAssignment> findAssignment(String registrationId) {
        return Optional.ofNullable(assignments.get(checkId(registrationId)));
    }

    @Override
    public AssignOutcome assign(NewAssignment request) {
        Objects.requireNonNull(request, "request");
        String id = checkId(request.registrationId());
        InstanceEntry target = entry(request.instanceId());
        AssignOutcome[] outcome = new AssignOutcome[1];
        assignments.compute(id, (key, existing) -> {
            if (existing != null) {
                outcome[0] = new AssignOutcome.Existing(existing);
                return existing;
            }
            AssignOutcome.Reason refusal = target.tryReserve();
            if (refusal != null) {
                outcome[0] = new AssignOutcome.Refused(request.instanceId(), refusal);
                return null;
            }
            DpsInstance config = target.config.get();
            Instant now = clock.instant();
            DeviceAssignment created = new DeviceAssignment(id, request.tenant(), config.id(), config.idScope(),
                    config.globalEndpoint(), Optional.empty(), Optional.empty(), AssignmentState.ASSIGNED, 1, now,
                    now);
            target.devices.add(id);
            outcome[0] = new AssignOutcome.Created(created);
            return created;
        });
        return outcome[0];
    }

    @Override
    public DeviceAssignment update(DeviceAssignment updated) {
        Objects.requireNonNull(updated, "updated");
        String id = checkId(updated.registrationId());
        DeviceAssignment[] result = new DeviceAssignment[1];
        assignments.compute(id, (key, existing) -> {
            if (existing == null) {
                throw new DeviceNotFoundException(id);
            }
            if (existing.version() != updated.version()) {
                throw new ConcurrentUpdateException(id, updated.version(), existing.version());
            }
            if (!existing.instanceId().equals(updated.instanceId())) {
                throw new IllegalArgumentException("update() cannot change the instance of '" + id + "' from "
                        + existing.instanceId() + " to " + updated.instanceId() + "; use move()");
            }
            result[0] = new DeviceAssignment(id, updated.tenant(), existing.instanceId(), existing.idScope(),
                    existing.globalEndpoint(), updated.assignedHub(), updated.deviceId(), updated.state(),
                    existing.version() + 1, existing.createdAt(), clock.instant());
            return result[0];
        });
        return result[0];
    }

    @Override
    public AssignOutcome move(String registrationId, long expectedVersion, String targetInstanceId) {
        String id = checkId(registrationId);
        InstanceEntry target = entry(targetInstanceId);
        AssignOutcome[] outcome = new AssignOutcome[1];
        assignments.compute(id, (key, existing) -> {
            if (existing == null) {
                throw new DeviceNotFoundException(id);
            }
            if (existing.version() != expectedVersion) {
                throw new ConcurrentUpdateException(id, expectedVersion, existing.version());
            }
            AssignOutcome.Reason refusal = target.tryReserve();
            if (refusal != null) {
                outcome[0] = new AssignOutcome.Refused(targetInstanceId, refusal);
                return existing;
            }
            InstanceEntry source = instances.get(existing.instanceId());
            source.count.decrementAndGet();
            source.devices.remove(id);
            target.devices.add(id);
            DpsInstance config = target.config.get();
            DeviceAssignment moved = new DeviceAssignment(id, existing.tenant(), config.id(), config.idScope(),
                    config.globalEndpoint(), Optional.empty(), Optional.empty(), AssignmentState.ASSIGNED,
                    existing.version() + 1, existing.createdAt(), clock.instant());
            outcome[0] = new AssignOutcome.Created(moved);
            return moved;
        });
        return outcome[0];
    }

    @Override
    public boolean release(String registrationId, long expectedVersion) {
        String id = checkId(registrationId);
        boolean[] removed = new boolean[1];
        assignments.computeIfPresent(id, (key, existing) -> {
            if (existing.version() != expectedVersion) {
                throw new ConcurrentUpdateException(id, expectedVersion, existing.version());
            }
            InstanceEntry source = instances.get(existing.instanceId());
            source.count.decrementAndGet();
            source.devices.remove(id);
            removed[0] = true;
            return null;
        });
        return removed[0];
    }

    @Override
    public InventoryPage assignmentsOn(String instanceId, Optional<String> afterRegistrationId, int limit) {
        Objects.requireNonNull(afterRegistrationId, "afterRegistrationId");
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", was " + limit);
        }
        InstanceEntry entry = entry(instanceId);
        NavigableSet<String> ids = afterRegistrationId.isPresent()
                ? entry.devices.tailSet(afterRegistrationId.get(), false) : entry.devices;
        List<DeviceAssignment> items = new ArrayList<>(Math.min(limit, 256));
        String last = null;
        boolean more = false;
        for (String id : ids) {
            DeviceAssignment a = assignments.get(id);
            if (a == null || !a.instanceId().equals(instanceId)) {
                continue; // moved or released while we iterate
            }
            if (items.size() == limit) {
                more = true;
                break;
            }
            items.add(a);
            last = id;
        }
        return new InventoryPage(items, more ? Optional.of(last) : Optional.empty());
    }

    private InstanceEntry entry(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        InstanceEntry e = instances.get(instanceId);
        if (e == null) {
            throw new UnknownInstanceException(instanceId);
        }
        return e;
    }

    private static String checkId(String registrationId) {
        return RegistrationIds.requireNormalised(registrationId);
    }
}
