package io.multiscope.core.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/** What {@link ProvisioningApi} answers: status, headers and a body (JSON or problem+json). */
public record ApiResponse(int status, Map<String, String> headers, byte[] body) {

    public ApiResponse {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    /** The body as UTF-8 text, for logs and tests. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
