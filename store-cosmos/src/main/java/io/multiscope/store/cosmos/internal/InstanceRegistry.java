package io.multiscope.store.cosmos.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.store.StoreException;
import io.multiscope.core.store.UnknownInstanceException;
import io.multiscope.spi.InstanceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of DPS instances: one document each in {@link Names#REGISTRY_PARTITION}, changed only by conditional
 * replace. Lookups on the assignment path are served from a short-lived cache (each assignment needs the instance's
 * state, id scope and limits; a storm of them must not turn the registry partition into a hot spot). This store's
 * own writes update the cache at once; other stores' writes are seen after the cache time-to-live.
 */
public final class InstanceRegistry {

    private static final int MAX_CONFLICTS = 50;

    private record Cached(InstanceDocs.Entry entry, long loadedAtNanos) {
    }

    private final Documents docs;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    public InstanceRegistry(Documents docs, Duration cacheTtl) {
        this.docs = Objects.requireNonNull(docs, "docs");
        this.ttlNanos = cacheTtl.toNanos();
    }

    /** The instance as stored now. */
    public Optional<InstanceDocs.Entry> read(String instanceId) {
        Optional<InstanceDocs.Entry> entry =
                docs.read(instanceId, Names.REGISTRY_PARTITION).map(InstanceDocs::entry);
        entry.ifPresentOrElse(this::remember, () -> cache.remove(instanceId));
        return entry;
    }

    /** The instance as stored at most the cache time-to-live ago. */
    public InstanceDocs.Entry recent(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        Cached c = cache.get(instanceId);
        if (c != null && System.nanoTime() - c.loadedAtNanos() < ttlNanos) {
            return c.entry();
        }
        return read(instanceId).orElseThrow(() -> new UnknownInstanceException(instanceId));
    }

    public InstanceDocs.Entry existing(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return read(instanceId).orElseThrow(() -> new UnknownInstanceException(instanceId));
    }

    /** Every instance, ordered by id. */
    public List<DpsInstance> all() {
        List<DpsInstance> list = new ArrayList<>();
        for (var doc : docs.readPartition(Names.REGISTRY_PARTITION)) {
            InstanceDocs.Entry e = InstanceDocs.entry(new Documents.Stored(doc, doc.path("_etag").asText(null)));
            remember(e);
            list.add(e.instance());
        }
        list.sort(Comparator.comparing(DpsInstance::id));
        return list;
    }

    /** Adds the instance or replaces its configuration, keeping its grants. */
    public void upsert(DpsInstance instance) {
        for (int i = 0; i < MAX_CONFLICTS; i++) {
            Optional<InstanceDocs.Entry> current = read(instance.id());
            if (current.isEmpty()) {
                if (docs.create(InstanceDocs.newDocument(instance), Names.REGISTRY_PARTITION).ok()) {
                    cache.remove(instance.id());
                    return;
                }
            } else if (current.get().instance().equals(instance)
                    || replace(current.get(), InstanceDocs.withConfiguration(current.get(), instance))) {
                return; // already stored as asked (perhaps by our own write whose answer was lost)
            }
        }
        throw contention(instance.id());
    }

    public DpsInstance setState(String instanceId, InstanceState state) {
        for (int i = 0; i < MAX_CONFLICTS; i++) {
            InstanceDocs.Entry current = existing(instanceId);
            if (current.instance().state() == state) {
                return current.instance();
            }
            DpsInstance updated = current.instance().withState(state);
            if (replace(current, InstanceDocs.withConfiguration(current, updated))) {
                return updated;
            }
        }
        throw contention(instanceId);
    }

    /** Sets one writer's grant if the document is unchanged since {@code entry} was read. */
    boolean setGrant(InstanceDocs.Entry entry, String writerId, long slots) {
        return replace(entry, InstanceDocs.withGrant(entry, writerId, slots));
    }

    private boolean replace(InstanceDocs.Entry entry, ObjectNode doc) {
        Documents.Write w = docs.replace(doc, Names.REGISTRY_PARTITION, entry.etag());
        // Whatever happened, the next lookup must see the stored document, not ours or a stale one.
        cache.remove(entry.instance().id());
        if (w.status() == Documents.Status.NOT_FOUND) {
            throw new UnknownInstanceException(entry.instance().id());
        }
        return w.ok();
    }

    private void remember(InstanceDocs.Entry e) {
        if (ttlNanos > 0) {
            cache.put(e.instance().id(), new Cached(e, System.nanoTime()));
        }
    }

    private static StoreException contention(String instanceId) {
        return new StoreException("Instance '" + instanceId + "' kept changing under " + MAX_CONFLICTS
                + " conditional writes in a row; try again", null, instanceId, true, null);
    }
}
