package io.multiscope.store.cosmos.internal;

import com.azure.cosmos.models.CosmosPatchOperations;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.DeviceNotFoundException;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.store.StoreException;
import io.multiscope.spi.InstanceState;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The device operations. Each one that moves a count follows the same order, so that an interruption at any point
 * leaves something {@link PendingOperations#repair} can finish or undo, and never a device counted twice or not at
 * all:
 * <ol>
 *   <li>mark the device document (a new document is created marked; create-if-absent, so a conflict means another
 *       request assigned the device first: its record is returned);</li>
 *   <li>change the count in this writer's shard, journaled under the operation id (at most once);</li>
 *   <li>finish the device document and drop the mark in one conditional write.</li>
 * </ol>
 * Every write is conditional on the etag read before it; a write whose response was lost and is repeated recognises
 * its own earlier effect by the operation id the document records.
 */
public final class Assignments {

    private final Documents devices;
    private final InstanceRegistry registry;
    private final CounterShards shards;
    private final CapacityGrants grants;
    private final PendingOperations pending;
    private final String writerId;
    private final Clock clock;

    public Assignments(Documents devices, InstanceRegistry registry, CounterShards shards, CapacityGrants grants,
            PendingOperations pending, Clock clock) {
        this.devices = Objects.requireNonNull(devices, "devices");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.shards = Objects.requireNonNull(shards, "shards");
        this.grants = Objects.requireNonNull(grants, "grants");
        this.pending = Objects.requireNonNull(pending, "pending");
        this.writerId = shards.writerId();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The device's record as stored (also while an operation on it is in progress). */
    public Optional<DeviceAssignment> find(String registrationId) {
        return read(Limits.registrationId(registrationId)).map(DeviceDocs.View::assignment);
    }

    public Optional<DeviceDocs.View> read(String registrationId) {
        return devices.read(registrationId, registrationId).map(DeviceDocs::view);
    }

    public AssignOutcome assign(NewAssignment request) {
        String id = Limits.registrationId(request.registrationId());
        Limits.tenant(request.tenant(), id);
        InstanceDocs.Entry target = registry.recent(request.instanceId());
        if (target.instance().state() != InstanceState.ACTIVE) {
            return settled(id).<AssignOutcome>map(AssignOutcome.Existing::new)
                    .orElseGet(() -> new AssignOutcome.Refused(request.instanceId(), AssignOutcome.Reason.NOT_ACTIVE));
        }
        String op = Names.newOperationId();
        Instant now = clock.instant();
        DeviceAssignment record = DeviceDocs.placed(id, request.tenant(), target.instance(), 1, now, now);
        ObjectNode doc = DeviceDocs.newAssignment(record, op, Marker.assign(op, writerId, now.toEpochMilli()));
        for (int round = 0; round <= PendingOperations.MAX_WAITS; round++) {
            Documents.Write created = devices.create(doc, id);
            String etag = created.etag();
            if (!created.ok()) {
                Optional<DeviceDocs.View> found = read(id);
                if (found.isEmpty()) {
                    continue; // removed between our create and read: try again
                }
                DeviceDocs.View v = found.get();
                if (!v.touchedBy(op)) {
                    if (!v.pending()) {
                        return new AssignOutcome.Existing(v.assignment());
                    }
                    pending.settle(v, round);
                    continue;
                }
                if (!v.pending()) {
                    return new AssignOutcome.Created(v.assignment());
                }
                etag = v.etag(); // our own create, repeated after a lost response
            }
            return admit(record, op, etag);
        }
        throw busy(id);
    }

    /** Steps 2 and 3 of an assignment whose marked document exists with {@code etag}. */
    private AssignOutcome admit(DeviceAssignment record, String op, String etag) {
        String id = record.registrationId();
        String instanceId = record.instanceId();
        CapacityGrants.Result result;
        try {
            result = grants.reserve(instanceId, op, id);
        } catch (RuntimeException e) {
            rollBack(e, () -> {
                shards.undo(instanceId, op, 1);
                devices.delete(id, id, etag);
            });
            throw e;
        }
        if (result != CapacityGrants.Result.RESERVED) {
            devices.delete(id, id, etag);
            return new AssignOutcome.Refused(instanceId, result == CapacityGrants.Result.FULL
                    ? AssignOutcome.Reason.FULL : AssignOutcome.Reason.NOT_ACTIVE);
        }
        if (clearMark(id, etag).ok()) {
            shards.finished(instanceId, op);
            return new AssignOutcome.Created(record);
        }
        // The mark was dealt with by someone else: only a repair by this writer after the grace period does that.
        Optional<DeviceDocs.View> now = read(id);
        if (now.isPresent() && !now.get().pending() && op.equals(now.get().lastOp())) {
            shards.finished(instanceId, op);
            return new AssignOutcome.Created(now.get().assignment()); // rolled forward (or our own repeated write)
        }
        shards.undo(instanceId, op, 1);
        throw interrupted("assignment", id, instanceId);
    }

    public DeviceAssignment update(DeviceAssignment updated) {
        Objects.requireNonNull(updated, "updated");
        String id = Limits.registrationId(updated.registrationId());
        Limits.tenant(updated.tenant(), id);
        Limits.hub(updated.assignedHub(), id);
        Limits.deviceId(updated.deviceId(), id);
        String op = Names.newOperationId();
        for (int round = 0; round <= PendingOperations.MAX_WAITS; round++) {
            DeviceDocs.View v = read(id).orElseThrow(() -> new DeviceNotFoundException(id));
            if (op.equals(v.lastOp())) {
                return v.assignment(); // our replace, repeated after a lost response
            }
            if (v.pending()) {
                pending.settle(v, round);
                continue;
            }
            DeviceAssignment current = v.assignment();
            if (current.version() != updated.version()) {
                throw new ConcurrentUpdateException(id, updated.version(), current.version());
            }
            if (!current.instanceId().equals(updated.instanceId())) {
                throw new IllegalArgumentException("update() cannot change the instance of '" + id + "' from "
                        + current.instanceId() + " to " + updated.instanceId() + "; use move()");
            }
            DeviceAssignment next = new DeviceAssignment(id, updated.tenant(), current.instanceId(),
                    current.idScope(), current.globalEndpoint(), updated.assignedHub(), updated.deviceId(),
                    updated.state(), current.version() + 1, current.createdAt(), clock.instant());
            Documents.Write w = devices.replace(DeviceDocs.rewritten(v, next, op, null), id, v.etag());
            if (w.ok()) {
                return next;
            }
            if (w.status() == Documents.Status.NOT_FOUND) {
                throw new DeviceNotFoundException(id);
            }
        }
        throw busy(id);
    }

    public boolean release(String registrationId, long expectedVersion) {
        String id = Limits.registrationId(registrationId);
        String op = Names.newOperationId();
        DeviceDocs.View marked = null;
        String etag = null;
        for (int round = 0; round <= PendingOperations.MAX_WAITS && marked == null; round++) {
            Optional<DeviceDocs.View> found = read(id);
            if (found.isEmpty()) {
                return false;
            }
            DeviceDocs.View v = found.get();
            if (v.pending() && op.equals(v.marker().id())) {
                marked = v; // our mark, repeated after a lost response
                etag = v.etag();
            } else if (v.pending()) {
                if (v.marker().kind() == Marker.Kind.RELEASE && v.assignment().version() == expectedVersion
                        && !pending.expired(v.marker())) {
                    return false; // a concurrent release of the same record is finishing it
                }
                pending.settle(v, round); // waits, or repairs an interrupted operation (then we look again)
            } else if (v.assignment().version() != expectedVersion) {
                throw new ConcurrentUpdateException(id, expectedVersion, v.assignment().version());
            } else {
                Documents.Write w = devices.replace(
                        DeviceDocs.marked(v, op, Marker.release(op, writerId, clock.millis())), id, v.etag());
                if (w.status() == Documents.Status.NOT_FOUND) {
                    return false;
                }
                if (w.ok()) {
                    marked = v;
                    etag = w.etag();
                }
            }
        }
        if (marked == null) {
            throw busy(id);
        }
        String instanceId = marked.assignment().instanceId();
        shards.decrement(instanceId, op, id);
        Documents.Write deleted = devices.delete(id, id, etag);
        if (deleted.ok() || deleted.status() == Documents.Status.NOT_FOUND) {
            shards.finished(instanceId, op);
            return true;
        }
        shards.undo(instanceId, op, -1); // a repair restored the record meanwhile
        throw interrupted("release", id, instanceId);
    }

    public AssignOutcome move(String registrationId, long expectedVersion, String targetInstanceId) {
        String id = Limits.registrationId(registrationId);
        InstanceDocs.Entry target = registry.recent(targetInstanceId);
        String op = Names.newOperationId();
        DeviceDocs.View marked = null;
        String etag = null;
        for (int round = 0; round <= PendingOperations.MAX_WAITS && marked == null; round++) {
            DeviceDocs.View v = read(id).orElseThrow(() -> new DeviceNotFoundException(id));
            if (v.pending() && op.equals(v.marker().id())) {
                marked = v; // our mark, repeated after a lost response
                etag = v.etag();
            } else if (!v.pending() && op.equals(v.lastOp())) {
                return new AssignOutcome.Created(v.assignment()); // our final write, repeated
            } else if (v.pending()) {
                pending.settle(v, round);
            } else if (v.assignment().version() != expectedVersion) {
                throw new ConcurrentUpdateException(id, expectedVersion, v.assignment().version());
            } else if (target.instance().state() != InstanceState.ACTIVE) {
                return new AssignOutcome.Refused(targetInstanceId, AssignOutcome.Reason.NOT_ACTIVE);
            } else {
                Marker mark = Marker.move(op, writerId, clock.millis(), v.assignment().instanceId(), targetInstanceId);
                Documents.Write w = devices.replace(DeviceDocs.marked(v, op, mark), id, v.etag());
                if (w.status() == Documents.Status.NOT_FOUND) {
                    throw new DeviceNotFoundException(id);
                }
                if (w.ok()) {
                    marked = v;
                    etag = w.etag();
                }
            }
        }
        if (marked == null) {
            throw busy(id);
        }
        String markedEtag = etag;
        CapacityGrants.Result result;
        try {
            result = grants.reserve(targetInstanceId, op, id);
        } catch (RuntimeException e) {
            rollBack(e, () -> {
                shards.undo(targetInstanceId, op, 1);
                clearMark(id, markedEtag);
            });
            throw e;
        }
        if (result != CapacityGrants.Result.RESERVED) {
            clearMark(id, etag);
            return new AssignOutcome.Refused(targetInstanceId, result == CapacityGrants.Result.FULL
                    ? AssignOutcome.Reason.FULL : AssignOutcome.Reason.NOT_ACTIVE);
        }
        DeviceAssignment current = marked.assignment();
        String sourceId = current.instanceId();
        shards.decrement(sourceId, op, id);
        DeviceAssignment moved = DeviceDocs.placed(id, current.tenant(), target.instance(), current.version() + 1,
                current.createdAt(), clock.instant());
        if (devices.replace(DeviceDocs.rewritten(marked, moved, op, null), id, etag).ok()) {
            shards.finished(targetInstanceId, op);
            shards.finished(sourceId, op);
            return new AssignOutcome.Created(moved);
        }
        Optional<DeviceDocs.View> now = read(id);
        if (now.isPresent() && !now.get().pending() && op.equals(now.get().lastOp())) {
            shards.finished(targetInstanceId, op);
            shards.finished(sourceId, op);
            return new AssignOutcome.Created(now.get().assignment()); // finished by a repair, or our repeated write
        }
        throw interrupted("move", id, targetInstanceId);
    }

    /** The device's record once no operation is in progress on it. */
    private Optional<DeviceAssignment> settled(String id) {
        for (int round = 0; round <= PendingOperations.MAX_WAITS; round++) {
            Optional<DeviceDocs.View> v = read(id);
            if (v.isEmpty() || !v.get().pending()) {
                return v.map(DeviceDocs.View::assignment);
            }
            pending.settle(v.get(), round);
        }
        throw busy(id);
    }

    private Documents.Write clearMark(String id, String etag) {
        return devices.patch(id, id, CosmosPatchOperations.create().remove("/" + Names.PENDING), null, etag);
    }

    /** Undoes what it can after a failure; whatever it cannot is left marked for a repair. */
    private static void rollBack(RuntimeException failure, Runnable undo) {
        try {
            undo.run();
        } catch (RuntimeException again) {
            failure.addSuppressed(again);
        }
    }

    private static StoreException busy(String id) {
        return new StoreException("Device '" + id + "' kept changing while this operation ran; try again", id, null,
                true, null);
    }

    private static StoreException interrupted(String what, String id, String instanceId) {
        return new StoreException("The " + what + " of '" + id + "' took longer than the grace period and was "
                + "rolled back by a repair; try again", id, instanceId, true, null);
    }
}
