package io.multiscope.store.cosmos.internal;

import com.azure.cosmos.models.CosmosPatchOperations;
import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.store.cosmos.CosmosStoreException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-instance device counts, sharded by writer. Each writer changes only its own shard of an instance, with
 * server-side patch increments, so writers in different regions never write the same document and multi-region
 * conflict resolution has nothing to drop; an instance's count is the sum of its shards.
 *
 * <p>A shard also holds the writer's capacity {@code ceiling} (it admits a device only while {@code assigned <
 * ceiling}, checked atomically by the patch's condition) and a journal: every count change records its operation id,
 * and the condition refuses an id already recorded. That makes each change happen at most once even when a request is
 * retried, and lets a repair tell whether an interrupted operation's count change happened. Entries of finished
 * operations are removed in batches.
 */
public final class CounterShards {

    /** Journal entries cleared per patch (Cosmos DB allows 10 operations in one patch). */
    private static final int CLEAR_BATCH = 10;

    /** A writer's shard of one instance. */
    public record Shard(long assigned, long ceiling, Map<String, JournalEntry> journal) {
        static final Shard EMPTY = new Shard(0, 0, Map.of());
    }

    /** One count change: {@code delta} for device {@code registrationId}, at {@code atMillis}. */
    public record JournalEntry(long delta, String registrationId, long atMillis) {
    }

    private final Documents docs;
    private final String writerId;
    private final Clock clock;
    private final ConcurrentHashMap<String, Set<String>> finished = new ConcurrentHashMap<>();

    public CounterShards(Documents docs, String writerId, Clock clock) {
        this.docs = Objects.requireNonNull(docs, "docs");
        this.writerId = Objects.requireNonNull(writerId, "writerId");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String writerId() {
        return writerId;
    }

    /**
     * Counts one more device on the instance in this writer's shard if the shard is below its ceiling and below
     * {@code limit}.
     *
     * @return true if counted (now or by an earlier attempt of the same operation); false if there was no room
     */
    public boolean reserve(String instanceId, String operationId, String registrationId, long limit) {
        // Limits beyond 2^53 are no limit (and would lose precision in the server's JSON numbers).
        String belowLimit = limit >= (1L << 53) ? "" : " AND c.assigned < " + limit;
        String condition = "FROM c WHERE c.assigned < c.ceiling" + belowLimit + " AND NOT IS_DEFINED("
                + journalEntry(operationId) + ")";
        Documents.Write w = change(instanceId, operationId, registrationId, 1, condition);
        return w.ok() || read(instanceId).journal().containsKey(operationId);
    }

    /** Counts one device less on the instance in this writer's shard (at most once per operation). */
    public void decrement(String instanceId, String operationId, String registrationId) {
        // A failed condition means the journal already holds the operation: the decrement happened.
        change(instanceId, operationId, registrationId, -1,
                "FROM c WHERE NOT IS_DEFINED(" + journalEntry(operationId) + ")");
    }

    /** Reverts the count change of {@code operationId} if it happened; true if it did. */
    public boolean undo(String instanceId, String operationId, long delta) {
        CosmosPatchOperations ops = CosmosPatchOperations.create().increment("/" + Names.ASSIGNED, -delta)
                .remove("/" + Names.OPS + "/" + operationId);
        Documents.Write w = docs.patch(Names.shardId(instanceId, writerId), Names.countersPartition(instanceId), ops,
                "FROM c WHERE IS_DEFINED(" + journalEntry(operationId) + ")", null);
        return w.ok();
    }

    /** Whether this writer's shard of the instance records the operation. */
    public boolean recorded(String instanceId, String operationId) {
        return read(instanceId).journal().containsKey(operationId);
    }

    /** This writer's shard of the instance; empty if it has none yet. */
    public Shard read(String instanceId) {
        return docs.read(Names.shardId(instanceId, writerId), Names.countersPartition(instanceId))
                .map(s -> shard(Json.checked(s.body(), Names.KIND_SHARD))).orElse(Shard.EMPTY);
    }

    /** Raises this writer's ceiling on the instance to {@code slots} unless it is already that high. */
    public void raiseCeiling(String instanceId, long slots) {
        CosmosPatchOperations ops = CosmosPatchOperations.create().set("/" + Names.CEILING, slots);
        for (int i = 0; i < 3; i++) {
            Documents.Write w = docs.patch(Names.shardId(instanceId, writerId), Names.countersPartition(instanceId),
                    ops, "FROM c WHERE c.ceiling < " + slots, null);
            if (w.status() != Documents.Status.NOT_FOUND) {
                return;
            }
            createShard(instanceId);
        }
    }

    /**
     * Lowers this writer's ceiling on the instance towards {@code slots}, never below what it has counted (the
     * condition is checked atomically with the change, so a concurrent admission cannot slip past it).
     *
     * @return the ceiling now
     */
    public long lowerCeiling(String instanceId, long slots) {
        long target = Math.max(0, slots);
        for (int i = 0; i < 20; i++) {
            CosmosPatchOperations ops = CosmosPatchOperations.create().set("/" + Names.CEILING, target);
            Documents.Write w = docs.patch(Names.shardId(instanceId, writerId), Names.countersPartition(instanceId),
                    ops, "FROM c WHERE c.assigned <= " + target + " AND c.ceiling > " + target, null);
            if (w.ok()) {
                return target;
            }
            if (w.status() == Documents.Status.NOT_FOUND) {
                return 0;
            }
            Shard s = read(instanceId);
            if (s.ceiling() <= Math.max(target, s.assigned())) {
                return s.ceiling();
            }
            target = Math.max(target, s.assigned());
        }
        return read(instanceId).ceiling();
    }

    /** Devices counted on the instance by all writers. */
    public long total(String instanceId) {
        long sum = 0;
        for (ObjectNode doc : docs.readPartition(Names.countersPartition(instanceId))) {
            if (Names.KIND_SHARD.equals(doc.path(Names.KIND).asText())) {
                sum += Json.number(Json.checked(doc, Names.KIND_SHARD), Names.ASSIGNED);
            }
        }
        return sum;
    }

    /** Devices counted on every instance that has shards, by instance id. */
    public Map<String, Long> totals() {
        SqlQuerySpec query = new SqlQuerySpec(
                "SELECT c.id, c.kind, c.schema, c.shardOf, c.assigned FROM c WHERE c.kind = @kind",
                List.of(new SqlParameter("@kind", Names.KIND_SHARD)));
        Map<String, Long> totals = new HashMap<>();
        for (ObjectNode row : docs.query("counter shards", query, Integer.MAX_VALUE)) {
            Json.checked(row, Names.KIND_SHARD);
            totals.merge(Json.text(row, Names.SHARD_OF), Json.number(row, Names.ASSIGNED), Long::sum);
        }
        return totals;
    }

    /** Every shard this writer has, by instance id. */
    public Map<String, Shard> own() {
        SqlQuerySpec query = new SqlQuerySpec("SELECT * FROM c WHERE c.kind = @kind AND c.writer = @writer",
                List.of(new SqlParameter("@kind", Names.KIND_SHARD), new SqlParameter("@writer", writerId)));
        Map<String, Shard> shards = new LinkedHashMap<>();
        for (ObjectNode doc : docs.query("shards of writer " + writerId, query, Integer.MAX_VALUE)) {
            Json.checked(doc, Names.KIND_SHARD);
            shards.put(Json.text(doc, Names.SHARD_OF), shard(doc));
        }
        return shards;
    }

    /** Notes that {@code operationId} finished, so its journal entry can go; clears a batch when one is full. */
    public void finished(String instanceId, String operationId) {
        Set<String> ids = finished.computeIfAbsent(instanceId, k -> ConcurrentHashMap.newKeySet());
        ids.add(operationId);
        if (ids.size() >= CLEAR_BATCH) {
            clear(instanceId, ids);
        }
    }

    /** Clears every noted journal entry; returns how many were removed. */
    public int flush() {
        int cleared = 0;
        for (Map.Entry<String, Set<String>> e : finished.entrySet()) {
            while (!e.getValue().isEmpty()) {
                int n = clear(e.getKey(), e.getValue());
                if (n == 0) {
                    break;
                }
                cleared += n;
            }
        }
        return cleared;
    }

    /** Removes up to one batch of ids from the instance's journal. Ids are taken from the set atomically. */
    private int clear(String instanceId, Set<String> ids) {
        List<String> batch = new ArrayList<>(CLEAR_BATCH);
        for (Iterator<String> it = ids.iterator(); it.hasNext() && batch.size() < CLEAR_BATCH;) {
            String id = it.next();
            if (ids.remove(id)) {
                batch.add(id);
            }
        }
        if (batch.isEmpty()) {
            return 0;
        }
        try {
            return remove(instanceId, batch);
        } catch (CosmosStoreException e) {
            if (e.statusCode() != 400) {
                ids.addAll(batch); // try again with the next batch
                throw e;
            }
            // An entry was already gone (a patch removing an absent path fails as a whole): drop those and retry.
            Map<String, JournalEntry> journal = read(instanceId).journal();
            batch.removeIf(id -> !journal.containsKey(id));
            return batch.isEmpty() ? 0 : remove(instanceId, batch);
        }
    }

    private int remove(String instanceId, List<String> batch) {
        CosmosPatchOperations ops = CosmosPatchOperations.create();
        batch.forEach(id -> ops.remove("/" + Names.OPS + "/" + id));
        Documents.Write w = docs.patch(Names.shardId(instanceId, writerId), Names.countersPartition(instanceId), ops,
                null, null);
        return w.ok() ? batch.size() : 0;
    }

    private Documents.Write change(String instanceId, String operationId, String registrationId, long delta,
            String condition) {
        Map<String, Object> entry = Map.of("d", delta, "rid", registrationId, "at", clock.millis());
        CosmosPatchOperations ops = CosmosPatchOperations.create().increment("/" + Names.ASSIGNED, delta)
                .set("/" + Names.OPS + "/" + operationId, entry);
        for (int i = 0; i < 3; i++) {
            Documents.Write w = docs.patch(Names.shardId(instanceId, writerId), Names.countersPartition(instanceId),
                    ops, condition, null);
            if (w.status() != Documents.Status.NOT_FOUND) {
                return w;
            }
            createShard(instanceId);
        }
        throw new IllegalStateException("counter shard of '" + instanceId + "' vanished after being created");
    }

    /** The journal entry of an operation in a condition (operation ids are lower-case hex: no quoting needed). */
    private static String journalEntry(String operationId) {
        return "c.ops[\"" + operationId + "\"]";
    }

    private void createShard(String instanceId) {
        ObjectNode doc = Json.newDocument(Names.shardId(instanceId, writerId), Names.countersPartition(instanceId),
                Names.KIND_SHARD);
        doc.put(Names.SHARD_OF, instanceId);
        doc.put(Names.WRITER, writerId);
        doc.put(Names.ASSIGNED, 0);
        doc.put(Names.CEILING, 0);
        doc.putObject(Names.OPS);
        docs.create(doc, Names.countersPartition(instanceId)); // a conflict means it exists: fine
    }

    private static Shard shard(ObjectNode doc) {
        Map<String, JournalEntry> journal = new LinkedHashMap<>();
        JsonNode ops = doc.path(Names.OPS);
        for (Iterator<Map.Entry<String, JsonNode>> it = ops.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            journal.put(e.getKey(), new JournalEntry(v.path("d").asLong(), v.path("rid").asText(),
                    v.path("at").asLong()));
        }
        return new Shard(Json.number(doc, Names.ASSIGNED), Json.number(doc, Names.CEILING), journal);
    }
}
