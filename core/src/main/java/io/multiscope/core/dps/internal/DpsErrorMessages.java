package io.multiscope.core.dps.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what the Azure device SDK leaves of a DPS error. The SDK turns any HTTP status above 300 into
 * {@code ProvisioningDeviceHubException("<status> : <status> : <body>")} and drops the response headers, so the status
 * and any hint in the JSON body are all there is to go on.
 */
public final class DpsErrorMessages {

    private static final Pattern STATUS = Pattern.compile("^\\s*(\\d{3})\\s*:\\s*(?:\\d{3}\\s*:)?\\s*(.*)$",
            Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] RETRY_FIELDS = {"retryAfter", "retry-after", "retryAfterSeconds", "Retry-After"};

    private DpsErrorMessages() {
    }

    /** The HTTP status at the start of the message, if it has the SDK's {@code "429 : 429 : ..."} shape. */
    public static OptionalInt status(String message) {
        if (message == null) {
            return OptionalInt.empty();
        }
        Matcher m = STATUS.matcher(message);
        return m.matches() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    /** The body after the status prefix (or the whole message without one). */
    public static String body(String message) {
        if (message == null) {
            return "";
        }
        Matcher m = STATUS.matcher(message);
        return m.matches() ? m.group(2).strip() : message.strip();
    }

    /**
     * A retry hint in the JSON body: a {@code retryAfter} (or {@code retry-after}, {@code retryAfterSeconds}) of whole
     * or fractional seconds, at the top level or under {@code info}. Real DPS sends the wait only as a header, which the
     * SDK hides; this reads it where a gateway or a future service version puts it in the body.
     */
    public static Optional<Duration> retryAfter(String message) {
        JsonNode body = json(body(message));
        if (body == null) {
            return Optional.empty();
        }
        Optional<Duration> top = retryField(body);
        return top.isPresent() ? top : retryField(body.path("info"));
    }

    /** DPS's {@code message} in the JSON body, or the body itself when it is not JSON; cut to a readable length. */
    public static String describe(String message) {
        String body = body(message);
        JsonNode json = json(body);
        String text = json != null && json.hasNonNull("message") ? json.get("message").asText() : body;
        text = text.replaceAll("\\p{Cntrl}", " ");
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static Optional<Duration> retryField(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        for (String field : RETRY_FIELDS) {
            JsonNode v = node.get(field);
            if (v == null) {
                continue;
            }
            double seconds;
            if (v.isNumber()) {
                seconds = v.asDouble();
            } else if (v.isTextual()) {
                try {
                    seconds = Double.parseDouble(v.asText().trim());
                } catch (NumberFormatException e) {
                    continue;
                }
            } else {
                continue;
            }
            if (seconds >= 0 && seconds <= 86_400) {
                return Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
            }
        }
        return Optional.empty();
    }

    private static JsonNode json(String text) {
        if (text == null || text.isEmpty() || text.charAt(0) != '{') {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
