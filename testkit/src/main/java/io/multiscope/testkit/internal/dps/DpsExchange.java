package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;

/** One HTTP request and its response, with the parsing the DPS APIs need. */
public final class DpsExchange {

    /** The DPS message size limit. */
    static final int MAX_BODY_BYTES = 96 * 1024;

    private final HttpExchange exchange;
    private final List<String> segments;
    private final Map<String, String> query;
    private byte[] body;
    private boolean responded;

    public DpsExchange(HttpExchange exchange) {
        this.exchange = exchange;
        this.segments = segmentsOf(exchange.getRequestURI().getPath());
        this.query = queryOf(exchange.getRequestURI().getRawQuery());
    }

    public String method() {
        return exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    }

    /** Decoded, non-empty path segments. */
    public List<String> segments() {
        return segments;
    }

    public Optional<String> queryParameter(String name) {
        return Optional.ofNullable(query.get(name));
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
    }

    /** The {@code Host} header without its port, lower-cased. */
    public String hostName() {
        String host = header("Host").orElse("");
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return (end > 0 ? host.substring(0, end + 1) : host).toLowerCase(Locale.ROOT);
        }
        int colon = host.indexOf(':');
        return (colon >= 0 ? host.substring(0, colon) : host).toLowerCase(Locale.ROOT);
    }

    /** The client's certificate chain from the TLS handshake, leaf first; empty when it sent none. */
    public List<X509Certificate> clientCertificates() {
        if (!(exchange instanceof HttpsExchange https)) {
            return List.of();
        }
        try {
            Certificate[] peer = https.getSSLSession().getPeerCertificates();
            List<X509Certificate> chain = new ArrayList<>(peer.length);
            for (Certificate c : peer) {
                chain.add((X509Certificate) c);
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /**
     * The request body, at most 96 KB (the DPS message limit).
     *
     * @throws DpsError 413 when larger
     */
    public byte[] body() {
        if (body == null) {
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY_BYTES + 1);
            } catch (IOException e) {
                throw DpsError.badJson("The request body cannot be read: " + e.getMessage());
            }
        }
        if (body.length > MAX_BODY_BYTES) {
            throw DpsError.of(413, DpsError.TOO_LARGE,
                    "The request body exceeds the " + MAX_BODY_BYTES + "-byte DPS message limit.");
        }
        return body;
    }

    /**
     * Reads the whole request body before anything is answered. The JDK's HTTPS server can otherwise leave unread
     * body bytes in its TLS buffer and then never notice the next request on a kept-alive connection.
     */
    void consumeBody() {
        try {
            body();
        } catch (DpsError e) {
            // reported when a handler asks for the body
        }
    }

    public void respondJson(int status, JsonNode body, Map<String, String> headers) throws IOException {
        respond(status, DpsJson.write(body), headers);
    }

    public void respondEmpty(int status) throws IOException {
        responded = true;
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    public void respond(int status, byte[] body, Map<String, String> headers) throws IOException {
        responded = true;
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * Closes the connection without answering, which a client sees as a broken connection: the nearest a shared
     * listener can come to "connection refused" for one instance.
     */
    public void drop() {
        responded = true;
        // Closing before any response headers makes the JDK server close the socket itself.
        exchange.close();
    }

    public boolean hasResponded() {
        return responded;
    }

    private static List<String> segmentsOf(String decodedPath) {
        if (decodedPath == null) {
            return List.of();
        }
        return Arrays.stream(decodedPath.split("/")).filter(s -> !s.isEmpty()).toList();
    }

    private static Map<String, String> queryOf(String rawQuery) {
        Map<String, String> map = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return map;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            map.putIfAbsent(name, value);
        }
        return map;
    }
}
