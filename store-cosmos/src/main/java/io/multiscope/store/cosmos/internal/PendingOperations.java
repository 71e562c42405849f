package io.multiscope.store.cosmos.internal;

import com.azure.cosmos.models.CosmosPatchOperations;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.store.StoreException;
import io.multiscope.core.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What to do about a device document that carries another operation's {@link Marker}.
 *
 * <p>A young mark belongs to an operation that is probably still running: wait briefly and look again. A mark older
 * than the grace period belongs to an operation that was interrupted (its process stopped between steps). Only the
 * writer that made the mark repairs it, because the repair may have to change that writer's counter shards and a
 * shard must have a single writer. The repair reads the shard journal to see how far the operation got and rolls it
 * forward (the count moved: finish the device) or back (it did not: undo the device change); see {@link #repair}.
 *
 * <p>The grace period must be longer than any single request can stay in flight (the client's end-to-end timeout),
 * so that a count change cannot land after a repair decided it never happened.
 */
public final class PendingOperations {

    /** How often an operation waits for another one on the same device before giving up. */
    static final int MAX_WAITS = 120;

    private final Documents devices;
    private final CounterShards shards;
    private final InstanceRegistry registry;
    private final String writerId;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration grace;

    public PendingOperations(Documents devices, CounterShards shards, InstanceRegistry registry, Clock clock,
            Sleeper sleeper, Duration grace) {
        this.devices = Objects.requireNonNull(devices, "devices");
        this.shards = Objects.requireNonNull(shards, "shards");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.writerId = shards.writerId();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.grace = Objects.requireNonNull(grace, "grace");
    }

    /** Whether the mark is old enough to belong to an interrupted operation. */
    public boolean expired(Marker marker) {
        return clock.millis() - marker.atMillis() >= grace.toMillis();
    }

    /**
     * Called by an operation that found {@code found} marked by another operation, for the {@code waits}-th time: waits
     * a little (the other operation is probably finishing) or repairs an interrupted operation of this writer. The
     * caller reads the device again afterwards.
     *
     * @throws StoreException (transient) if the other operation takes too long, or was interrupted and belongs to
     *     another writer
     */
    public void settle(DeviceDocs.View found, int waits) {
        Marker m = found.marker();
        if (expired(m)) {
            if (writerId.equals(m.writer())) {
                repair(found);
                return;
            }
            throw new StoreException("Device '" + found.registrationId() + "' has an unfinished " + describe(m)
                    + " started by writer '" + m.writer() + "' at " + Instant.ofEpochMilli(m.atMillis())
                    + "; it is finished or rolled back when that writer runs reconcile() (restart it, or run a store "
                    + "with writer id '" + m.writer() + "' once if it is gone for good)", found.registrationId(),
                    found.assignment().instanceId(), true, null);
        }
        if (waits >= MAX_WAITS) {
            throw new StoreException("Device '" + found.registrationId() + "' is busy: " + describe(m)
                    + " by writer '" + m.writer() + "' did not finish in time; try again", found.registrationId(),
                    found.assignment().instanceId(), true, null);
        }
        try {
            // 1, 2, 4 ... 32 ms, then 50 ms: in-flight operations take a few round trips.
            sleeper.sleep(Duration.ofMillis(Math.min(50, 1L << Math.min(waits, 5))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("Interrupted while device '" + found.registrationId() + "' was busy",
                    found.registrationId(), null, true, e);
        }
    }

    /**
     * Rolls an interrupted operation of this writer forward or back, depending on whether its count change is in this
     * writer's shard journal. Idempotent; a concurrent change of the device makes it do nothing.
     */
    public void repair(DeviceDocs.View v) {
        Marker m = v.marker();
        if (!writerId.equals(m.writer())) {
            throw new IllegalStateException("writer '" + writerId + "' cannot repair an operation of '" + m.writer()
                    + "'");
        }
        DeviceAssignment a = v.assignment();
        String id = a.registrationId();
        switch (m.kind()) {
            case ASSIGN -> {
                // Counted: the device stays, finished. Not counted: it never got its slot, so it goes.
                if (shards.recorded(a.instanceId(), m.id())) {
                    clearMark(v);
                    shards.finished(a.instanceId(), m.id());
                } else {
                    devices.delete(id, id, v.etag());
                }
            }
            case RELEASE -> {
                // Uncounted: finish removing it. Still counted: the release never happened.
                if (shards.recorded(a.instanceId(), m.id())) {
                    devices.delete(id, id, v.etag());
                    shards.finished(a.instanceId(), m.id());
                } else {
                    clearMark(v);
                }
            }
            case MOVE -> {
                // Counted on the target: finish the move (uncount on the source at most once, then move the
                // record). Not counted on the target: nothing moved yet.
                if (shards.recorded(m.to(), m.id())) {
                    shards.decrement(m.from(), m.id(), id);
                    DpsInstance target = registry.existing(m.to()).instance();
                    DeviceAssignment moved = DeviceDocs.placed(id, a.tenant(), target, a.version() + 1, a.createdAt(),
                            clock.instant());
                    if (devices.replace(DeviceDocs.rewritten(v, moved, m.id(), null), id, v.etag()).ok()) {
                        shards.finished(m.to(), m.id());
                        shards.finished(m.from(), m.id());
                    }
                } else {
                    clearMark(v);
                }
            }
            default -> throw new IllegalStateException("unknown operation " + m.kind());
        }
    }

    /** Drops the mark, if the document is unchanged since {@code v} was read. */
    Documents.Write clearMark(DeviceDocs.View v) {
        return devices.patch(v.registrationId(), v.registrationId(),
                CosmosPatchOperations.create().remove("/" + Names.PENDING), null, v.etag());
    }

    static String describe(Marker m) {
        return switch (m.kind()) {
            case ASSIGN -> "assignment (operation " + m.id() + ")";
            case RELEASE -> "release (operation " + m.id() + ")";
            case MOVE -> "move from '" + m.from() + "' to '" + m.to() + "' (operation " + m.id() + ")";
        };
    }
}
