package io.multiscope.store.cosmos.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The mark a multi-step operation leaves on a device document while it runs. Cosmos DB has no transaction across the
 * device document and a counter shard, so an operation marks the device first, then moves the count (recording its id
 * in the shard's journal, which makes the count change happen at most once), then finishes the device and drops the
 * mark. Whoever finds a mark can tell from the journal how far the operation got and roll it forward or back.
 *
 * @param kind what the operation does
 * @param id the operation id (also its key in the shard journals)
 * @param writer the writer whose shards the operation changes; only that writer repairs it
 * @param atMillis when the operation started (store clock)
 * @param from for a move: the instance the device leaves
 * @param to for a move: the instance the device joins
 */
public record Marker(Kind kind, String id, String writer, long atMillis, String from, String to) {

    public enum Kind {
        ASSIGN,
        RELEASE,
        MOVE
    }

    public static Marker assign(String id, String writer, long atMillis) {
        return new Marker(Kind.ASSIGN, id, writer, atMillis, null, null);
    }

    public static Marker release(String id, String writer, long atMillis) {
        return new Marker(Kind.RELEASE, id, writer, atMillis, null, null);
    }

    public static Marker move(String id, String writer, long atMillis, String from, String to) {
        return new Marker(Kind.MOVE, id, writer, atMillis, from, to);
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        n.put("id", id);
        n.put("writer", writer);
        n.put("at", atMillis);
        if (from != null) {
            n.put("from", from);
            n.put("to", to);
        }
        return n;
    }

    static Marker fromJson(ObjectNode n, String documentId) {
        try {
            Kind kind = Kind.valueOf(n.get("kind").asText().toUpperCase(java.util.Locale.ROOT));
            return new Marker(kind, n.get("id").asText(), n.get("writer").asText(), n.get("at").asLong(),
                    n.hasNonNull("from") ? n.get("from").asText() : null,
                    n.hasNonNull("to") ? n.get("to").asText() : null);
        } catch (RuntimeException e) {
            throw Json.malformed(documentId, "pending marker " + n, e);
        }
    }
}
