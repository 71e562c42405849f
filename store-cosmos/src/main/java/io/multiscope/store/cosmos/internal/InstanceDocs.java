package io.multiscope.store.cosmos.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.DpsInstance;
import io.multiscope.spi.InstanceState;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Instance registry documents: one per DPS instance, all in one small partition. Besides the configuration each holds
 * the capacity granted to every writer (see {@link CapacityGrants}).
 */
public final class InstanceDocs {

    private InstanceDocs() {
    }

    /**
     * An instance document as read.
     *
     * @param grants slots granted to each writer id
     */
    public record Entry(DpsInstance instance, Map<String, Long> grants, String etag, ObjectNode json) {

        long granted(String writerId) {
            return grants.getOrDefault(writerId, 0L);
        }

        long grantedTotal() {
            return grants.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static Entry entry(Documents.Stored stored) {
        ObjectNode doc = Json.checked(stored.body(), Names.KIND_INSTANCE);
        String id = Json.text(doc, Names.ID);
        DpsInstance instance;
        try {
            DpsInstance.Builder b = DpsInstance.builder(id).idScope(Json.text(doc, Names.ID_SCOPE))
                    .globalEndpoint(Json.text(doc, Names.GLOBAL_ENDPOINT)).region(Json.text(doc, Names.REGION))
                    .weight((int) Json.number(doc, Names.WEIGHT))
                    .state(InstanceState.valueOf(Json.text(doc, Names.STATE)))
                    .capacity(Json.number(doc, Names.CAPACITY))
                    .registrationsPerMinute((int) Json.number(doc, Names.REGISTRATIONS_PER_MINUTE));
            Json.optionalText(doc, Names.TENANT_POOL).ifPresent(b::tenantPool);
            Set<String> tags = new TreeSet<>();
            doc.path(Names.TAGS).forEach(t -> tags.add(t.asText()));
            instance = b.tags(tags).build();
        } catch (IllegalArgumentException e) {
            throw Json.malformed(id, e.getMessage(), e);
        }
        Map<String, Long> grants = new LinkedHashMap<>();
        JsonNode g = doc.path(Names.GRANTS);
        for (Iterator<Map.Entry<String, JsonNode>> it = g.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            grants.put(e.getKey(), e.getValue().asLong());
        }
        return new Entry(instance, grants, stored.etag(), doc);
    }

    static ObjectNode newDocument(DpsInstance instance) {
        ObjectNode doc = Json.newDocument(instance.id(), Names.REGISTRY_PARTITION, Names.KIND_INSTANCE);
        writeConfiguration(doc, instance);
        doc.putObject(Names.GRANTS);
        return doc;
    }

    /** The entry's document with another configuration; grants are kept. */
    static ObjectNode withConfiguration(Entry entry, DpsInstance instance) {
        ObjectNode doc = entry.json().deepCopy();
        writeConfiguration(doc, instance);
        return doc;
    }

    /** The entry's document with {@code writerId}'s grant set to {@code slots}. */
    static ObjectNode withGrant(Entry entry, String writerId, long slots) {
        ObjectNode doc = entry.json().deepCopy();
        ObjectNode grants = doc.withObjectProperty(Names.GRANTS);
        if (slots == 0) {
            grants.remove(writerId);
        } else {
            grants.put(writerId, slots);
        }
        return doc;
    }

    private static void writeConfiguration(ObjectNode doc, DpsInstance i) {
        doc.put(Names.ID_SCOPE, i.idScope());
        doc.put(Names.GLOBAL_ENDPOINT, i.globalEndpoint());
        doc.put(Names.REGION, i.region());
        Json.putOptional(doc, Names.TENANT_POOL, i.tenantPool());
        ArrayNode tags = doc.putArray(Names.TAGS);
        new TreeSet<>(i.tags()).forEach(tags::add);
        doc.put(Names.WEIGHT, i.weight());
        doc.put(Names.STATE, i.state().name());
        doc.put(Names.CAPACITY, i.capacity());
        doc.put(Names.REGISTRATIONS_PER_MINUTE, i.registrationsPerMinute());
    }
}
