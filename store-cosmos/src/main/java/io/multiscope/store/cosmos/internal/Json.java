package io.multiscope.store.cosmos.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.store.StoreException;
import java.time.Instant;
import java.util.Optional;

/** Reading store documents defensively: a document this version cannot read fails loudly, naming itself. */
final class Json {

    private Json() {
    }

    static ObjectNode newDocument(String id, String partitionKey, String kind) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put(Names.ID, id);
        n.put(Names.PK, partitionKey);
        n.put(Names.KIND, kind);
        n.put(Names.SCHEMA, Names.SCHEMA_VERSION);
        return n;
    }

    /**
     * Checks the document is of the expected kind and of a schema this version reads. A newer schema means another
     * writer runs a newer Multiscope: reading on could drop fields it relies on, so the read is refused.
     */
    static ObjectNode checked(ObjectNode doc, String expectedKind) {
        String id = doc.path(Names.ID).asText("?");
        JsonNode schema = doc.get(Names.SCHEMA);
        if (schema == null || !schema.canConvertToInt()) {
            throw malformed(id, "no schema version", null);
        }
        if (schema.asInt() > Names.SCHEMA_VERSION) {
            throw new StoreException("Document '" + id + "' was written with schema version " + schema.asInt()
                    + " by a newer Multiscope; this multiscope-store-cosmos reads versions up to "
                    + Names.SCHEMA_VERSION + ". Upgrade this application before it touches that data.",
                    registrationIdOf(doc), null, false, null);
        }
        String kind = doc.path(Names.KIND).asText(null);
        if (!expectedKind.equals(kind)) {
            throw malformed(id, "kind '" + kind + "' where '" + expectedKind + "' was expected", null);
        }
        return doc;
    }

    static String text(ObjectNode doc, String field) {
        JsonNode n = doc.get(field);
        if (n == null || !n.isTextual()) {
            throw malformed(doc.path(Names.ID).asText("?"), "field '" + field + "' missing or not text", null);
        }
        return n.asText();
    }

    static Optional<String> optionalText(ObjectNode doc, String field) {
        JsonNode n = doc.get(field);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    static long number(ObjectNode doc, String field) {
        JsonNode n = doc.get(field);
        if (n == null || !n.isNumber()) {
            throw malformed(doc.path(Names.ID).asText("?"), "field '" + field + "' missing or not a number", null);
        }
        return n.asLong();
    }

    static Instant instant(ObjectNode doc, String field) {
        String text = text(doc, field);
        try {
            return Instant.parse(text);
        } catch (RuntimeException e) {
            throw malformed(doc.path(Names.ID).asText("?"), "field '" + field + "' is not an instant: " + text, e);
        }
    }

    static void putOptional(ObjectNode doc, String field, Optional<String> value) {
        if (value.isPresent()) {
            doc.put(field, value.get());
        } else {
            doc.putNull(field);
        }
    }

    static StoreException malformed(String id, String what, Throwable cause) {
        return new StoreException("Document '" + id + "' in the Cosmos DB container is malformed: " + what
                + "; it was not written by this version of multiscope-store-cosmos", null, null, false, cause);
    }

    private static String registrationIdOf(ObjectNode doc) {
        return Names.registrationIdOf(doc.path(Names.ID).asText(""), doc.path(Names.PK).asText("|"));
    }
}
