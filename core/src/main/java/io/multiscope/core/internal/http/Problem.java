package io.multiscope.core.internal.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem: {@code type} is stable per kind of error so clients can branch on it, {@code detail} says what
 * was wrong in this request.
 */
public final class Problem extends RuntimeException {

    private static final long serialVersionUID = 1L;
    public static final String TYPE_BASE = "https://multiscope.io/problems/";

    private final int status;
    private final String type;
    private final String title;
    private final transient Map<String, Object> extensions = new LinkedHashMap<>();
    private final transient Map<String, String> headers = new LinkedHashMap<>();

    public Problem(int status, String type, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public Problem with(String key, Object value) {
        if (value != null) {
            extensions.put(key, value);
        }
        return this;
    }

    public Problem header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** The problem document. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", getMessage());
        body.putAll(extensions);
        return body;
    }
}
