package io.multiscope.store.jdbc.internal;

import io.multiscope.core.AssignmentState;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.DeviceNotFoundException;
import io.multiscope.core.store.StoreException;
import io.multiscope.core.store.UnknownInstanceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The transactions that change device records, each moving the instances' counts in the same transaction. Every
 * method but {@link #assignInOneStatement} runs inside one transaction opened by {@link Transactions}; a refusal after
 * a write marks it for rollback.
 *
 * <p>Lock order, to keep these transactions from deadlocking each other: the device's row first, then counter
 * shards, and when two instances' shards are involved (a move), the instance with the smaller id first.
 */
public final class AssignmentWrites {

    private final Dialect dialect;
    private final AssignmentRows assignments;
    private final InstanceRows instances;
    private final CounterShards counters;
    private final Clock clock;
    private final MidTransactionHook hook;

    public AssignmentWrites(Dialect dialect, AssignmentRows assignments, InstanceRows instances,
            CounterShards counters, Clock clock, MidTransactionHook hook) {
        this.dialect = dialect;
        this.assignments = assignments;
        this.instances = instances;
        this.counters = counters;
        this.clock = clock;
        this.hook = hook;
    }

    /** Timestamps are kept to the microsecond, the finest every supported database stores. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Assigns a new device in one statement that commits by itself (the connection is in auto-commit mode) or
     * changes nothing: PostgreSQL's {@link Dialect#singleStatementAssign()}. One round trip, and the counter row is
     * locked only while the statement runs.
     *
     * @return the outcome, or empty when the statement could not finish the job alone (the random shard was full,
     *     or the device was released between two reads): then {@link #assign} does it in a transaction
     */
    public Optional<AssignOutcome> assignInOneStatement(Connection c, String registrationId, String instanceId,
            Optional<String> tenant) throws SQLException {
        String sql = dialect.singleStatementAssign().orElseThrow();
        Instant now = now();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, instanceId);
            p.setString(2, registrationId);
            p.setString(3, tenant.orElse(null));
            dialect.setInstant(p, 4, now);
            dialect.setInstant(p, 5, now);
            p.setString(6, instanceId);
            p.setInt(7, counters.randomShard());
            try (ResultSet r = p.executeQuery()) {
                if (r.next()) {
                    return Optional.of(new AssignOutcome.Created(new DeviceAssignment(registrationId, tenant,
                            instanceId, r.getString(1), r.getString(2), Optional.empty(), Optional.empty(),
                            AssignmentState.ASSIGNED, 1, now, now)));
                }
            }
        } catch (SQLException e) {
            if (!dialect.isShardFullAbort(e)) {
                throw e;
            }
            if (!c.getAutoCommit()) {
                c.rollback(); // a pool without auto-commit: end the failed transaction before going on
            }
            return Optional.empty();
        }
        try {
            return Optional.of(notInserted(c, registrationId, instanceId, null));
        } catch (StoreException raced) {
            return Optional.empty();
        }
    }

    /**
     * Assigns a device in the caller's transaction: insert the record if absent and the instance is active, then
     * count it on a shard with room. A refusal after the insert marks the transaction for rollback.
     */
    public AssignOutcome assign(Connection c, Transactions.Tx tx, String registrationId, String instanceId,
            Optional<String> tenant) throws SQLException {
        Instant now = now();
        Optional<InstanceHead> head = instances.head(c, instanceId);
        if (head.isEmpty() || !head.get().active()) {
            return notInserted(c, registrationId, instanceId, head);
        }
        DeviceAssignment row = new DeviceAssignment(registrationId, tenant, instanceId, head.get().idScope(),
                head.get().globalEndpoint(), Optional.empty(), Optional.empty(), AssignmentState.ASSIGNED, 1, now,
                now);
        if (!assignments.insertIfAbsent(c, row)) {
            return notInserted(c, registrationId, instanceId, head);
        }
        hook.reached("assign", c);
        if (!counters.increment(c, instanceId, -1)) {
            tx.rollbackOnly(); // takes the inserted row away again
            return new AssignOutcome.Refused(instanceId, AssignOutcome.Reason.FULL);
        }
        return new AssignOutcome.Created(row);
    }

    /** Why no row was inserted: an unknown or inactive instance, or a device that already has a record. */
    private AssignOutcome notInserted(Connection c, String registrationId, String instanceId,
            Optional<InstanceHead> knownHead) throws SQLException {
        Optional<InstanceHead> head = knownHead != null ? knownHead : instances.head(c, instanceId);
        if (head.isEmpty()) {
            throw new UnknownInstanceException(instanceId);
        }
        Optional<DeviceAssignment> existing = assignments.find(c, registrationId);
        if (existing.isPresent()) {
            return new AssignOutcome.Existing(existing.get());
        }
        if (!head.get().active()) {
            return new AssignOutcome.Refused(instanceId, AssignOutcome.Reason.NOT_ACTIVE);
        }
        // The record blocked our insert and was gone when we looked: released in between. Another attempt inserts.
        throw new StoreException("JDBC inventory: device '" + registrationId + "' was released while being assigned "
                + "to instance '" + instanceId + "'", registrationId, instanceId, true, null);
    }

    public DeviceAssignment update(Connection c, DeviceAssignment updated) throws SQLException {
        Optional<DeviceAssignment> stored = assignments.updateIfVersion(c, updated, now());
        if (stored.isPresent()) {
            return stored.get();
        }
        String id = updated.registrationId();
        DeviceAssignment existing = assignments.find(c, id).orElseThrow(() -> new DeviceNotFoundException(id));
        if (existing.version() != updated.version()) {
            throw new ConcurrentUpdateException(id, updated.version(), existing.version());
        }
        if (!existing.instanceId().equals(updated.instanceId())) {
            throw new IllegalArgumentException("update() cannot change the instance of '" + id + "' from "
                    + existing.instanceId() + " to " + updated.instanceId() + "; use move()");
        }
        throw new ConcurrentUpdateException(id, updated.version());
    }

    public AssignOutcome move(Connection c, Transactions.Tx tx, String registrationId, long expectedVersion,
            String targetId) throws SQLException {
        InstanceHead target = instances.head(c, targetId).orElseThrow(() -> new UnknownInstanceException(targetId));
        DeviceAssignment current = lockExpected(c, registrationId, expectedVersion)
                .orElseThrow(() -> new DeviceNotFoundException(registrationId));
        if (!target.active()) {
            return new AssignOutcome.Refused(targetId, AssignOutcome.Reason.NOT_ACTIVE);
        }
        String sourceId = current.instanceId();
        if (sourceId.compareTo(targetId) < 0) {
            counters.decrement(c, sourceId);
            hook.reached("move", c);
            if (!counters.increment(c, targetId, -1)) {
                tx.rollbackOnly();
                return new AssignOutcome.Refused(targetId, AssignOutcome.Reason.FULL);
            }
        } else {
            if (!counters.increment(c, targetId, -1)) {
                tx.rollbackOnly();
                return new AssignOutcome.Refused(targetId, AssignOutcome.Reason.FULL);
            }
            hook.reached("move", c);
            counters.decrement(c, sourceId);
        }
        Instant now = now();
        assignments.moveTo(c, registrationId, targetId, target, now);
        return new AssignOutcome.Created(new DeviceAssignment(registrationId, current.tenant(), targetId,
                target.idScope(), target.globalEndpoint(), Optional.empty(), Optional.empty(),
                AssignmentState.ASSIGNED, current.version() + 1, current.createdAt(), now));
    }

    public boolean release(Connection c, String registrationId, long expectedVersion) throws SQLException {
        Optional<DeviceAssignment> current = lockExpected(c, registrationId, expectedVersion);
        if (current.isEmpty()) {
            return false;
        }
        assignments.delete(c, registrationId);
        hook.reached("release", c);
        counters.decrement(c, current.get().instanceId());
        return true;
    }

    /** Locks the device's row; fails if it is at another version than expected. */
    private Optional<DeviceAssignment> lockExpected(Connection c, String registrationId, long expectedVersion)
            throws SQLException {
        Optional<DeviceAssignment> current = assignments.findForUpdate(c, registrationId);
        if (current.isPresent() && current.get().version() != expectedVersion) {
            throw new ConcurrentUpdateException(registrationId, expectedVersion, current.get().version());
        }
        return current;
    }
}
