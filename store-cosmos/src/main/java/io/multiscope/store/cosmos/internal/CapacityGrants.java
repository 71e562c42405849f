package io.multiscope.store.cosmos.internal;

import io.multiscope.core.store.StoreException;
import io.multiscope.spi.InstanceState;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admission against an instance's capacity when several writers count devices in their own shards.
 *
 * <p>Each writer holds a grant of slots, recorded in the instance's registry document; grants are taken and returned
 * with conditional replaces of that document, so (within its write region) their sum never exceeds the capacity. A
 * writer copies its grant into its shard's {@code ceiling} and admits a device only with a patch whose condition is
 * {@code assigned < ceiling}: concurrent admissions by the same writer can never pass the last slot. Order keeps the
 * invariant {@code assigned <= ceiling <= grant} for every writer: a grant is raised before the ceiling and a ceiling
 * lowered before the grant. Hence the sum of all counts stays within the sum of grants, and that within the capacity.
 *
 * <p>Grants grow in steps of {@code grantSize} (or what is left); a grant size of 0 means 0.1 % of the capacity, at least
 * {@value #MIN_ADAPTIVE_GRANT}. When the capacity is lowered below the sum of grants,
 * each writer shrinks its grant to what it has counted the next time it is refused, so the grants converge back under
 * the capacity; meanwhile every admission is also bounded by {@code capacity - grants of the others}.
 */
public final class CapacityGrants {

    /** What an admission attempt found. */
    public enum Result {
        RESERVED,
        FULL,
        NOT_ACTIVE
    }

    private static final int MAX_ROUNDS = 25;
    static final long MIN_ADAPTIVE_GRANT = 100;

    private final InstanceRegistry registry;
    private final CounterShards shards;
    private final String writerId;
    private final long grantSize;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Set<String> touched = ConcurrentHashMap.newKeySet();

    public CapacityGrants(InstanceRegistry registry, CounterShards shards, long grantSize) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.shards = Objects.requireNonNull(shards, "shards");
        this.writerId = shards.writerId();
        this.grantSize = grantSize;
    }

    /** Counts the device on the instance in this writer's shard, taking more of the capacity if needed. */
    public Result reserve(String instanceId, String operationId, String registrationId) {
        touched.add(instanceId);
        InstanceDocs.Entry entry = registry.recent(instanceId);
        for (int round = 0; round < MAX_ROUNDS; round++) {
            if (entry.instance().state() != InstanceState.ACTIVE) {
                return Result.NOT_ACTIVE;
            }
            long limit = entry.instance().capacity() - (entry.grantedTotal() - entry.granted(writerId));
            if (shards.reserve(instanceId, operationId, registrationId, limit)) {
                return Result.RESERVED;
            }
            Result room = makeRoom(instanceId);
            if (room != null) {
                return room;
            }
            entry = registry.existing(instanceId);
        }
        throw new StoreException("Could not reserve a slot on instance '" + instanceId + "' in " + MAX_ROUNDS
                + " rounds; other writers keep changing its grants. Try again", registrationId, instanceId, true, null);
    }

    /**
     * Returns the slots this writer holds but has not used on every instance it touched, so other writers can take
     * them. Safe at any time; the next admission takes a new grant.
     */
    public void returnUnused() {
        for (String instanceId : touched) {
            ReentrantLock lock = locks.computeIfAbsent(instanceId, k -> new ReentrantLock());
            lock.lock();
            try {
                for (int round = 0; round < MAX_ROUNDS; round++) {
                    InstanceDocs.Entry entry = registry.read(instanceId).orElse(null);
                    if (entry == null || shrink(entry, shards.read(instanceId)) != Boolean.FALSE) {
                        break;
                    }
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Checks that each of this writer's ceilings is covered by its grant. A ceiling is only ever raised after the
     * grant, so a ceiling above the grant means the registry lost the grant's write (multi-region conflict resolution
     * kept another version of the instance document). The grant is written again, after lowering the ceiling to what
     * the capacity still allows (never below what the shard has counted).
     *
     * @return how many instances needed it
     */
    public int restoreLostGrants(Map<String, CounterShards.Shard> own) {
        int restored = 0;
        for (String instanceId : own.keySet()) {
            ReentrantLock lock = locks.computeIfAbsent(instanceId, k -> new ReentrantLock());
            lock.lock();
            try {
                for (int round = 0; round < MAX_ROUNDS; round++) {
                    InstanceDocs.Entry entry = registry.read(instanceId).orElse(null);
                    CounterShards.Shard shard = shards.read(instanceId);
                    long mine = entry == null ? 0 : entry.granted(writerId);
                    if (entry == null || shard.ceiling() <= mine) {
                        break;
                    }
                    long others = entry.grantedTotal() - mine;
                    long allowed = Math.max(mine, entry.instance().capacity() - others);
                    long ceiling = allowed < shard.ceiling() ? shards.lowerCeiling(instanceId, allowed)
                            : shard.ceiling();
                    if (ceiling <= mine || registry.setGrant(entry, writerId, ceiling)) {
                        restored++;
                        break;
                    }
                }
            } finally {
                lock.unlock();
            }
        }
        return restored;
    }

    /**
     * Run when the shard refused an admission: makes room if the capacity allows.
     *
     * @return null if the admission should be tried again, else the final answer
     */
    private Result makeRoom(String instanceId) {
        ReentrantLock lock = locks.computeIfAbsent(instanceId, k -> new ReentrantLock());
        lock.lock();
        try {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                InstanceDocs.Entry entry = registry.existing(instanceId);
                if (entry.instance().state() != InstanceState.ACTIVE) {
                    return Result.NOT_ACTIVE;
                }
                CounterShards.Shard shard = shards.read(instanceId);
                long capacity = entry.instance().capacity();
                long mine = entry.granted(writerId);
                long others = entry.grantedTotal() - mine;
                if (others + mine > capacity) {
                    // Over-granted (the capacity was lowered): give back what this writer does not use.
                    if (shrink(entry, shard) != null) {
                        continue; // given back, or the document changed under us: decide on what is stored now
                    }
                }
                if (shard.assigned() >= capacity - others) {
                    return Result.FULL;
                }
                if (shard.ceiling() < mine) {
                    shards.raiseCeiling(instanceId, mine); // a grant not yet copied (an earlier attempt stopped)
                    return null;
                }
                if (shard.assigned() < shard.ceiling()) {
                    return null; // another thread made room meanwhile
                }
                long free = capacity - others - mine;
                if (free <= 0) {
                    return Result.FULL;
                }
                long step = grantSize > 0 ? grantSize : Math.max(MIN_ADAPTIVE_GRANT, capacity / 1_000);
                long grant = mine + Math.min(step, free);
                if (registry.setGrant(entry, writerId, grant)) {
                    shards.raiseCeiling(instanceId, grant);
                    return null;
                }
            }
            throw new StoreException("Could not take capacity on instance '" + instanceId + "' in " + MAX_ROUNDS
                    + " rounds; other writers keep changing its grants. Try again", null, instanceId, true, null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lowers this writer's ceiling and then its grant to what its shard has counted.
     *
     * @return null if there was nothing to give back, TRUE if given back, FALSE if the registry document changed
     */
    private Boolean shrink(InstanceDocs.Entry entry, CounterShards.Shard shard) {
        String instanceId = entry.instance().id();
        long mine = entry.granted(writerId);
        long used = Math.max(0, shard.assigned());
        if (mine <= used) {
            return null;
        }
        long ceiling = shards.lowerCeiling(instanceId, used);
        if (ceiling >= mine) {
            return null;
        }
        return registry.setGrant(entry, writerId, ceiling);
    }
}
