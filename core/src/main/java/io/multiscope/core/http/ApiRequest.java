package io.multiscope.core.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP request as the framework-neutral {@link ProvisioningApi} sees it; adapters for HTTP servers build one.
 *
 * @param method upper-case HTTP method
 * @param path the decoded path, e.g. {@code /v1/assignments/dev-1}
 * @param headers header values by name; names compare case-insensitively
 * @param body the request body, at most the API's limit (adapters stop reading beyond it and set
 *     {@code bodyTooLarge})
 * @param bodyTooLarge whether the client sent more than the limit
 * @param clientCertificates the TLS client certificate chain, leaf first; empty without mutual TLS
 * @param query the raw (still percent-encoded) query string without the {@code ?}, empty if the URL has none; read
 *     parameters with {@link #queryParameter}
 */
public record ApiRequest(String method, String path, Map<String, List<String>> headers, byte[] body,
        boolean bodyTooLarge, List<X509Certificate> clientCertificates, String query) {

    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(body, "body");
        TreeMap<String, List<String>> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Objects.requireNonNull(headers, "headers").forEach((k, v) -> caseInsensitive.put(k, List.copyOf(v)));
        headers = caseInsensitive;
        clientCertificates = List.copyOf(clientCertificates);
        method = method.toUpperCase(Locale.ROOT);
        query = query == null ? "" : query.startsWith("?") ? query.substring(1) : query;
    }

    /** A request without a query string. */
    public ApiRequest(String method, String path, Map<String, List<String>> headers, byte[] body,
            boolean bodyTooLarge, List<X509Certificate> clientCertificates) {
        this(method, path, headers, body, bodyTooLarge, clientCertificates, "");
    }

    /**
     * A request without client certificates. A {@code ?} in {@code path} starts the query string, as in a URL:
     * {@code of("POST", "/v1/dps/allocations?code=k", ...)}.
     */
    public static ApiRequest of(String method, String path, Map<String, String> headers, byte[] body) {
        Map<String, List<String>> multi = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> multi.put(k, List.of(v)));
        int q = path.indexOf('?');
        return new ApiRequest(method, q < 0 ? path : path.substring(0, q), multi, body, false, List.of(),
                q < 0 ? "" : path.substring(q + 1));
    }

    /** The first value of a header. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /**
     * The first value of a query parameter, percent-decoded as UTF-8; empty if absent or not decodable. A {@code +}
     * stays a {@code +} (RFC 3986), so a base64 key pasted into a URL unencoded still reads as itself.
     */
    public Optional<String> queryParameter(String name) {
        Objects.requireNonNull(name, "name");
        if (query.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            Optional<String> decodedKey = decode(key);
            if (decodedKey.isPresent() && decodedKey.get().equals(name)) {
                return eq < 0 ? Optional.of("") : decode(pair.substring(eq + 1));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> decode(String raw) {
        try {
            return Optional.of(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
