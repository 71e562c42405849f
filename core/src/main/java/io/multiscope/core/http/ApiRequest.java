package io.multiscope.core.http;

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
 */
public record ApiRequest(String method, String path, Map<String, List<String>> headers, byte[] body,
        boolean bodyTooLarge, List<X509Certificate> clientCertificates) {

    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(body, "body");
        TreeMap<String, List<String>> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Objects.requireNonNull(headers, "headers").forEach((k, v) -> caseInsensitive.put(k, List.copyOf(v)));
        headers = caseInsensitive;
        clientCertificates = List.copyOf(clientCertificates);
        method = method.toUpperCase(Locale.ROOT);
    }

    /** A request without client certificates. */
    public static ApiRequest of(String method, String path, Map<String, String> headers, byte[] body) {
        Map<String, List<String>> multi = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> multi.put(k, List.of(v)));
        return new ApiRequest(method, path, multi, body, false, List.of());
    }

    /** The first value of a header. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
