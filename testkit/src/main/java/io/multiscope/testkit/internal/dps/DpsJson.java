package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** JSON reading and writing in DPS's conventions: its timestamp format and its error body. */
public final class DpsJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    // Seven fraction digits, as DPS writes them; the service SDK reads up to three and ignores the rest.
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private DpsJson() {
    }

    public static String timestamp(Instant instant) {
        return TIMESTAMP.format(instant);
    }

    /**
     * Parses a request body.
     *
     * @throws DpsError 400 naming the parse problem
     */
    public static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw DpsError.badJson("The request body is empty; a JSON object was expected.");
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw DpsError.badJson("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw DpsError.badJson("The request body cannot be read: " + e.getMessage());
        }
    }

    /** Parses a request body that must be a JSON object. */
    public static ObjectNode parseObject(byte[] body) {
        JsonNode node = parse(body);
        if (!node.isObject()) {
            throw DpsError.badJson("The request body must be a JSON object, not " + node.getNodeType());
        }
        return (ObjectNode) node;
    }

    public static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise response", e);
        }
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The DPS error body. */
    public static byte[] errorBody(int errorCode, String message, Instant now) {
        ObjectNode body = object();
        body.put("errorCode", errorCode);
        body.put("trackingId", UUID.randomUUID().toString());
        body.put("message", message);
        body.put("timestampUtc", timestamp(now));
        return write(body);
    }

    /**
     * A device's custom payload as DPS hands it on: the Java SDK sends it as a JSON string holding JSON, other SDKs as
     * a JSON value; a string that parses as JSON is replaced by the parsed value.
     */
    public static JsonNode normalisePayload(JsonNode payload) {
        if (payload != null && payload.isTextual()) {
            try {
                JsonNode parsed = MAPPER.readTree(payload.textValue().getBytes(StandardCharsets.UTF_8));
                if (parsed != null && parsed.isContainerNode()) {
                    return parsed;
                }
            } catch (java.io.IOException e) {
                // not JSON: hand it on as the string it is
            }
        }
        return payload;
    }
}
