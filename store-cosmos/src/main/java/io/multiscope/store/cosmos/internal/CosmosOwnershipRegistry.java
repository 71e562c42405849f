package io.multiscope.store.cosmos.internal;

import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.OwnerIds;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipNotFoundException;
import io.multiscope.core.ownership.OwnershipOutcome;
import io.multiscope.core.ownership.OwnershipPage;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.ownership.TransferRequest;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.StoreException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ownership registry in Cosmos DB: each device's record is one document in the device's own logical partition
 * (see {@link OwnershipDocs}), changed only by create-if-absent and by replaces conditional on the etag read. The
 * version check is made on the record as read; the etag condition makes the write fail if anything changed after
 * that read, so of two writers with the same version exactly one wins. A transfer writes the new owner and the new
 * history entry in that one replace ({@link TransferHistory}). Every write records its operation id, so a write
 * repeated after a lost response recognises its own effect.
 */
public final class CosmosOwnershipRegistry implements OwnershipRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(CosmosOwnershipRegistry.class);

    public static final int MAX_PAGE = 10_000;

    /**
     * A conditional write fails only when the record changed since it was read, and every change moves its version
     * (or removes it), so the next round ends the operation; more rounds mean repeated requests after lost responses.
     */
    private static final int MAX_ROUNDS = 10;

    /** Keyset paging on the registration id (the partition key), served by the composite index (owner, pk). */
    private static final String OWNED_BY = "SELECT TOP @top * FROM c WHERE c." + Names.OWNER + " = @owner AND c."
            + Names.PK + " > @after ORDER BY c." + Names.OWNER + " ASC, c." + Names.PK + " ASC";

    private final Documents docs;
    private final TransferHistory history;
    private final ChargeMeter meter;
    private final Clock clock;

    public CosmosOwnershipRegistry(Documents docs, ChargeMeter meter, Clock clock) {
        this.docs = Objects.requireNonNull(docs, "docs");
        this.history = new TransferHistory(docs);
        this.meter = Objects.requireNonNull(meter, "meter");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public OwnershipOutcome register(NewOwnership device) {
        Objects.requireNonNull(device, "device");
        String id = Limits.registrationId(device.registrationId());
        OwnerIds.check(device.owner());
        return meter.measure("ownership.register", () -> {
            // The incarnation doubles as the operation id: a create repeated after a lost response finds its own.
            String incarnation = Names.newOperationId();
            Instant now = clock.instant();
            Ownership record = new Ownership(id, device.owner(), device.activeInstanceId(), device.claim(), 1, now,
                    now);
            ObjectNode doc = OwnershipDocs.newRecord(record, incarnation);
            for (int round = 0; round < MAX_ROUNDS; round++) {
                Documents.Write created = docs.create(doc, id);
                if (created.ok()) {
                    return new OwnershipOutcome.Created(record);
                }
                if (created.status() != Documents.Status.CONFLICT) {
                    throw unexpected(created, "registration", id);
                }
                Optional<OwnershipDocs.View> found = read(id);
                if (found.isEmpty()) {
                    continue; // removed between our create and read
                }
                OwnershipDocs.View v = found.get();
                if (v.removed()) {
                    finishRemoval(v);
                    continue;
                }
                if (v.incarnation().equals(incarnation)) {
                    return new OwnershipOutcome.Created(v.ownership());
                }
                return new OwnershipOutcome.Existing(v.ownership());
            }
            throw busy(id);
        });
    }

    @Override
    public Optional<Ownership> find(String registrationId) {
        String id = Limits.registrationId(registrationId);
        return meter.measure("ownership.find", () -> current(id).map(OwnershipDocs.View::ownership));
    }

    @Override
    public Ownership update(Ownership updated) {
        Objects.requireNonNull(updated, "updated");
        String id = Limits.registrationId(updated.registrationId());
        return meter.measure("ownership.update", () -> {
            String op = Names.newOperationId();
            for (int round = 0; round < MAX_ROUNDS; round++) {
                OwnershipDocs.View v = current(id).orElseThrow(() -> new OwnershipNotFoundException(id));
                if (op.equals(v.lastOp())) {
                    return v.ownership(); // our replace, repeated after a lost response
                }
                Ownership now = v.ownership();
                if (now.version() != updated.version()) {
                    throw ConcurrentUpdateException.ofOwnership(id, updated.version());
                }
                if (!now.owner().equals(updated.owner())) {
                    throw new InvalidRequestException("owner-change-needs-transfer", "Device '" + id + "' is owned by '"
                            + now.owner() + "'; change the owner with a transfer, which records it", id);
                }
                Ownership next = new Ownership(id, now.owner(), updated.activeInstanceId(), updated.claim(),
                        now.version() + 1, now.createdAt(), clock.instant());
                Documents.Write w = docs.replace(OwnershipDocs.rewritten(v, next, op, Optional.empty()), id, v.etag());
                if (w.ok()) {
                    return next;
                }
                if (w.status() == Documents.Status.NOT_FOUND) {
                    throw new OwnershipNotFoundException(id);
                }
            }
            throw busy(id);
        });
    }

    @Override
    public Ownership transfer(TransferRequest request) {
        Objects.requireNonNull(request, "request");
        String id = Limits.registrationId(request.registrationId());
        OwnerIds.check(request.newOwner());
        return meter.measure("ownership.transfer", () -> {
            String op = Names.newOperationId();
            for (int round = 0; round < MAX_ROUNDS; round++) {
                OwnershipDocs.View v = current(id).orElseThrow(() -> new OwnershipNotFoundException(id));
                if (op.equals(v.lastOp())) {
                    keepQuietly(v.last().orElseThrow(), v.incarnation()); // our replace, repeated
                    return v.ownership();
                }
                Ownership now = v.ownership();
                if (now.version() != request.expectedVersion()) {
                    throw ConcurrentUpdateException.ofOwnership(id, request.expectedVersion());
                }
                // The record is about to lose its newest entry: make sure its copy exists first.
                v.last().ifPresent(t -> history.keep(t, v.incarnation(), true));
                Instant at = clock.instant();
                OwnershipTransfer entry = new OwnershipTransfer(id, v.nextSequence(), now.owner(),
                        request.newOwner(), now.activeInstanceId(), request.newActiveInstanceId(), request.actor(),
                        at);
                Ownership next = new Ownership(id, request.newOwner(), request.newActiveInstanceId(), now.claim(),
                        now.version() + 1, now.createdAt(), at);
                Documents.Write w = docs.replace(OwnershipDocs.rewritten(v, next, op, Optional.of(entry)), id,
                        v.etag());
                if (w.ok()) {
                    keepQuietly(entry, v.incarnation());
                    return next;
                }
                if (w.status() == Documents.Status.NOT_FOUND) {
                    throw new OwnershipNotFoundException(id);
                }
            }
            throw busy(id);
        });
    }

    @Override
    public List<OwnershipTransfer> history(String registrationId) {
        String id = Limits.registrationId(registrationId);
        return meter.measure("ownership.history", () -> {
            // One request: the record and its history share the device's partition.
            List<ObjectNode> partition = docs.readPartition(id);
            for (ObjectNode doc : partition) {
                if (Names.KIND_OWNERSHIP.equals(doc.path(Names.KIND).asText())
                        && Names.OWNERSHIP_ID.equals(doc.path(Names.ID).asText())) {
                    OwnershipDocs.View v = OwnershipDocs.view(id, doc, doc.path("_etag").asText(null));
                    return v.removed() ? List.<OwnershipTransfer>of() : TransferHistory.of(v, partition);
                }
            }
            return List.<OwnershipTransfer>of();
        });
    }

    @Override
    public OwnershipPage ownedBy(String owner, Optional<String> afterRegistrationId, int limit) {
        OwnerIds.check(owner);
        Objects.requireNonNull(afterRegistrationId, "afterRegistrationId");
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", was " + limit);
        }
        return meter.measure("ownership.ownedBy", () -> {
            // One more than asked tells whether another page follows.
            SqlQuerySpec query = new SqlQuerySpec(OWNED_BY, List.of(new SqlParameter("@top", limit + 1),
                    new SqlParameter("@owner", owner), new SqlParameter("@after", afterRegistrationId.orElse(""))));
            List<ObjectNode> rows = docs.query("devices of owner '" + owner + "'", query, limit + 1);
            List<Ownership> items = new ArrayList<>(Math.min(rows.size(), limit));
            for (ObjectNode row : rows.subList(0, Math.min(rows.size(), limit))) {
                items.add(OwnershipDocs.view(row.path(Names.PK).asText(), row, null).ownership());
            }
            Optional<String> next = rows.size() > limit
                    ? Optional.of(items.get(items.size() - 1).registrationId()) : Optional.empty();
            return new OwnershipPage(items, next);
        });
    }

    @Override
    public boolean remove(String registrationId, long expectedVersion) {
        String id = Limits.registrationId(registrationId);
        return meter.measure("ownership.remove", () -> {
            String op = Names.newOperationId();
            for (int round = 0; round < MAX_ROUNDS; round++) {
                Optional<OwnershipDocs.View> found = read(id);
                if (found.isEmpty()) {
                    return false;
                }
                OwnershipDocs.View v = found.get();
                if (v.removed()) {
                    finishRemovalQuietly(v);
                    return op.equals(v.lastOp()); // ours, repeated after a lost response; or someone else's
                }
                if (v.ownership().version() != expectedVersion) {
                    throw ConcurrentUpdateException.ofOwnership(id, expectedVersion);
                }
                // The tombstone is the removal: from here on the device is not registered. Its history goes next,
                // then the tombstone; whoever meets a tombstone left by an interruption finishes the job.
                ObjectNode tombstone = OwnershipDocs.tombstone(v, op);
                Documents.Write w = docs.replace(tombstone, id, v.etag());
                if (w.ok()) {
                    finishRemovalQuietly(OwnershipDocs.view(id, tombstone, w.etag()));
                    return true;
                }
                if (w.status() == Documents.Status.NOT_FOUND) {
                    return false;
                }
            }
            throw busy(id);
        });
    }

    private Optional<OwnershipDocs.View> read(String id) {
        return docs.read(Names.OWNERSHIP_ID, id).map(s -> OwnershipDocs.view(id, s.body(), s.etag()));
    }

    /** The device's record, unless it is not registered (or removed). */
    private Optional<OwnershipDocs.View> current(String id) {
        return read(id).filter(v -> !v.removed());
    }

    /** Deletes a removed record's history, then its tombstone (only if unchanged). */
    private void finishRemoval(OwnershipDocs.View tombstone) {
        String id = tombstone.json().path(Names.PK).asText();
        history.deleteAll(id, docs.readPartition(id));
        docs.delete(Names.OWNERSHIP_ID, id, tombstone.etag());
    }

    /** After the removal took effect a failure to clean up changes nothing the registry shows: leave it for later. */
    private void finishRemovalQuietly(OwnershipDocs.View tombstone) {
        try {
            finishRemoval(tombstone);
        } catch (StoreException e) {
            LOG.info("Ownership record {} is removed; deleting its history failed and is left to the next "
                    + "registration of the device: {}", tombstone.json().path(Names.PK).asText(), e.getMessage());
        }
    }

    /** After a transfer took effect its entry is safe in the record: a failed copy is made by the next transfer. */
    private void keepQuietly(OwnershipTransfer entry, String incarnation) {
        try {
            history.keep(entry, incarnation, false);
        } catch (StoreException e) {
            LOG.info("Transfer {} of '{}' is recorded; its history copy failed and is made by the next transfer: {}",
                    entry.sequence(), entry.registrationId(), e.getMessage());
        }
    }

    private static StoreException unexpected(Documents.Write w, String what, String id) {
        return new StoreException("The " + what + " of '" + id + "' in the ownership registry failed with "
                + w.status() + "; does the Cosmos DB container exist?", id, null, false, null);
    }

    private static StoreException busy(String id) {
        return new StoreException("The ownership record of '" + id + "' kept changing while this operation ran; try "
                + "again", id, null, true, null);
    }
}
