package io.multiscope.store.cosmos.internal;

import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.store.cosmos.ReconcileReport;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Cleans up after this writer: repairs devices its interrupted operations left marked (see
 * {@link PendingOperations#repair}), clears journal entries of finished operations from its shards, and writes
 * again capacity grants the registry lost (see {@link CapacityGrants#restoreLostGrants}).
 */
public final class Reconciler {

    private final Documents devices;
    private final CounterShards shards;
    private final PendingOperations pending;
    private final CapacityGrants grants;
    private final Clock clock;
    private final Duration grace;

    public Reconciler(Documents devices, CounterShards shards, PendingOperations pending, CapacityGrants grants,
            Clock clock, Duration grace) {
        this.devices = Objects.requireNonNull(devices, "devices");
        this.shards = Objects.requireNonNull(shards, "shards");
        this.pending = Objects.requireNonNull(pending, "pending");
        this.grants = Objects.requireNonNull(grants, "grants");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.grace = Objects.requireNonNull(grace, "grace");
    }

    public ReconcileReport reconcile() {
        int cleared = shards.flush();
        int finished = 0;
        int waiting = 0;
        SqlQuerySpec marked = new SqlQuerySpec("SELECT * FROM c WHERE c.pending.writer = @writer",
                List.of(new SqlParameter("@writer", shards.writerId())));
        for (ObjectNode doc : devices.query("devices marked by writer " + shards.writerId(), marked,
                Integer.MAX_VALUE)) {
            DeviceDocs.View v = DeviceDocs.view(new Documents.Stored(doc, doc.path("_etag").asText(null)));
            if (pending.expired(v.marker())) {
                pending.repair(v);
                finished++;
            } else {
                waiting++;
            }
        }
        // Journal entries older than the grace period whose device no longer carries their operation's mark belong to
        // finished operations (an unfinished one keeps its mark until repaired above).
        long cutoff = clock.millis() - grace.toMillis();
        Map<String, CounterShards.Shard> own = shards.own();
        for (Map.Entry<String, CounterShards.Shard> shard : own.entrySet()) {
            for (Map.Entry<String, CounterShards.JournalEntry> e : shard.getValue().journal().entrySet()) {
                if (e.getValue().atMillis() > cutoff) {
                    continue;
                }
                String registrationId = e.getValue().registrationId();
                Optional<DeviceDocs.View> device =
                        devices.read(registrationId, registrationId).map(DeviceDocs::view);
                boolean stillMarked = device.isPresent() && device.get().pending()
                        && e.getKey().equals(device.get().marker().id());
                if (!stillMarked) {
                    shards.finished(shard.getKey(), e.getKey());
                }
            }
        }
        cleared += shards.flush();
        return new ReconcileReport(finished, waiting, cleared, grants.restoreLostGrants(own));
    }
}
