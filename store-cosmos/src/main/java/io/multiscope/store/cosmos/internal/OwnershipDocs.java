package io.multiscope.store.cosmos.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.ownership.ClaimCode;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipTransfer;
import java.time.Instant;
import java.util.Optional;

/**
 * The ownership documents, all in the device's own logical partition (key: its registration id):
 * <ul>
 *   <li>the record, id {@value Names#OWNERSHIP_ID}: owner, active instance, claim, version, and the newest transfer
 *       ({@value Names#LAST_TRANSFER}), so that a transfer and its history entry are one write;</li>
 *   <li>once removed, the same id as a tombstone ({@value Names#REMOVED_BY}, no owner) until its history is deleted;
 *       </li>
 *   <li>one history document per transfer, id {@code |transfer|<incarnation>|<sequence>}, a copy of the entry the
 *       record held.</li>
 * </ul>
 * The incarnation is fixed when the record is registered, so entries of a removed and registered again device are
 * never taken for (or overwrite) the new record's.
 */
public final class OwnershipDocs {

    private OwnershipDocs() {
    }

    /**
     * An ownership document as read.
     *
     * @param ownership the record, or null for a tombstone
     * @param incarnation set at registration
     * @param lastOp id of the operation that wrote it last (or removed it)
     * @param last the newest transfer, if any
     * @param etag for conditional writes
     * @param json the document
     */
    public record View(Ownership ownership, String incarnation, String lastOp, Optional<OwnershipTransfer> last,
            String etag, ObjectNode json) {

        public boolean removed() {
            return ownership == null;
        }

        /** The sequence the next transfer gets. */
        public long nextSequence() {
            return last.map(t -> t.sequence() + 1).orElse(1L);
        }
    }

    /** A history document as read: its entry and the incarnation of the record it belongs to. */
    public record Entry(OwnershipTransfer transfer, String incarnation, String etag) {
    }

    public static View view(String registrationId, ObjectNode body, String etag) {
        ObjectNode doc = Json.checked(body, Names.KIND_OWNERSHIP);
        String incarnation = Json.text(doc, Names.INCARNATION);
        String lastOp = Json.text(doc, Names.LAST_OP);
        if (doc.hasNonNull(Names.REMOVED_BY)) {
            return new View(null, incarnation, lastOp, Optional.empty(), etag, doc);
        }
        Ownership o = new Ownership(registrationId, Json.text(doc, Names.OWNER), Json.optionalText(doc, Names.ACTIVE),
                claim(doc), Json.number(doc, Names.VERSION), Json.instant(doc, Names.CREATED_AT),
                Json.instant(doc, Names.UPDATED_AT));
        JsonNode last = doc.get(Names.LAST_TRANSFER);
        Optional<OwnershipTransfer> transfer = last instanceof ObjectNode l
                ? Optional.of(transfer(registrationId, l, doc.path(Names.ID).asText("?")))
                : Optional.empty();
        return new View(o, incarnation, lastOp, transfer, etag, doc);
    }

    /** The document of a newly registered record. */
    public static ObjectNode newRecord(Ownership o, String incarnation) {
        ObjectNode doc = Json.newDocument(Names.OWNERSHIP_ID, o.registrationId(), Names.KIND_OWNERSHIP);
        doc.put(Names.INCARNATION, incarnation);
        write(doc, o, incarnation);
        return doc;
    }

    /** {@code current}'s document holding {@code o}, written by {@code operationId}, with {@code last} if given. */
    public static ObjectNode rewritten(View current, Ownership o, String operationId,
            Optional<OwnershipTransfer> last) {
        ObjectNode doc = current.json().deepCopy();
        write(doc, o, operationId);
        last.ifPresent(t -> doc.set(Names.LAST_TRANSFER, entry(t)));
        return doc;
    }

    /**
     * The tombstone that replaces a removed record until its history is gone: no owner (so {@code ownedBy} no longer
     * finds it), the incarnation (to tell its history apart) and who removed it.
     */
    public static ObjectNode tombstone(View current, String operationId) {
        ObjectNode doc = Json.newDocument(Names.OWNERSHIP_ID, current.json().path(Names.PK).asText(),
                Names.KIND_OWNERSHIP);
        doc.put(Names.INCARNATION, current.incarnation());
        doc.put(Names.LAST_OP, operationId);
        doc.put(Names.REMOVED_BY, operationId);
        return doc;
    }

    /** The history document of {@code t}, for the record of {@code incarnation}. */
    public static ObjectNode historyDocument(OwnershipTransfer t, String incarnation) {
        ObjectNode doc = Json.newDocument(Names.transferId(incarnation, t.sequence()), t.registrationId(),
                Names.KIND_TRANSFER);
        doc.put(Names.INCARNATION, incarnation);
        doc.setAll(entry(t));
        return doc;
    }

    public static Entry entryOf(String registrationId, ObjectNode body) {
        ObjectNode doc = Json.checked(body, Names.KIND_TRANSFER);
        return new Entry(transfer(registrationId, doc, doc.path(Names.ID).asText("?")),
                Json.text(doc, Names.INCARNATION), body.path("_etag").asText(null));
    }

    private static void write(ObjectNode doc, Ownership o, String operationId) {
        doc.put(Names.OWNER, o.owner());
        Json.putOptional(doc, Names.ACTIVE, o.activeInstanceId());
        if (o.claim().isPresent()) {
            ClaimCode c = o.claim().get();
            ObjectNode claim = doc.putObject(Names.CLAIM);
            claim.put(Names.CLAIM_HASH, c.hash());
            claim.put(Names.CLAIM_EXPIRES_AT, c.expiresAt().toString());
            Json.putOptional(claim, Names.CLAIM_BY, c.claimedBy());
            Json.putOptional(claim, Names.CLAIM_AT, c.claimedAt().map(Instant::toString));
        } else {
            doc.putNull(Names.CLAIM);
        }
        doc.put(Names.VERSION, o.version());
        doc.put(Names.CREATED_AT, o.createdAt().toString());
        doc.put(Names.UPDATED_AT, o.updatedAt().toString());
        doc.put(Names.LAST_OP, operationId);
    }

    private static Optional<ClaimCode> claim(ObjectNode doc) {
        JsonNode node = doc.get(Names.CLAIM);
        if (!(node instanceof ObjectNode c)) {
            return Optional.empty();
        }
        String id = doc.path(Names.ID).asText("?");
        Optional<String> by = Json.optionalText(c, Names.CLAIM_BY);
        Optional<Instant> at = c.hasNonNull(Names.CLAIM_AT) ? Optional.of(instant(c, Names.CLAIM_AT, id))
                : Optional.empty();
        try {
            return Optional.of(new ClaimCode(Json.text(c, Names.CLAIM_HASH), instant(c, Names.CLAIM_EXPIRES_AT, id),
                    by, at));
        } catch (IllegalArgumentException e) {
            throw Json.malformed(id, "claim: " + e.getMessage(), e);
        }
    }

    private static ObjectNode entry(OwnershipTransfer t) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put(Names.SEQUENCE, t.sequence());
        n.put(Names.FROM_OWNER, t.fromOwner());
        n.put(Names.TO_OWNER, t.toOwner());
        Json.putOptional(n, Names.FROM_ACTIVE, t.fromInstanceId());
        Json.putOptional(n, Names.TO_ACTIVE, t.toInstanceId());
        n.put(Names.ACTOR, t.actor());
        n.put(Names.AT, t.at().toString());
        return n;
    }

    private static OwnershipTransfer transfer(String registrationId, ObjectNode n, String documentId) {
        try {
            return new OwnershipTransfer(registrationId, Json.number(n, Names.SEQUENCE), Json.text(n, Names.FROM_OWNER),
                    Json.text(n, Names.TO_OWNER), Json.optionalText(n, Names.FROM_ACTIVE),
                    Json.optionalText(n, Names.TO_ACTIVE), Json.text(n, Names.ACTOR), instant(n, Names.AT, documentId));
        } catch (IllegalArgumentException e) {
            throw Json.malformed(documentId, "transfer entry: " + e.getMessage(), e);
        }
    }

    /** {@link Json#instant}, naming the document rather than the nested object. */
    private static Instant instant(ObjectNode n, String field, String documentId) {
        try {
            return Instant.parse(n.path(field).asText(""));
        } catch (RuntimeException e) {
            throw Json.malformed(documentId, "field '" + field + "' is not an instant: " + n.get(field), e);
        }
    }
}
