package io.multiscope.device.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpRetryException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Small HTTPS requests with the device's TLS settings and, optionally, an HTTP proxy (CONNECT tunnel). Built on
 * {@code HttpsURLConnection} rather than {@code java.net.http.HttpClient}: it needs no selector thread per client,
 * which matters on small devices and for gateways running many provisioners in one JVM.
 */
public final class HttpsCaller {

    /** Answers this module reads are a few hundred bytes; a larger body is cut off here. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final SSLSocketFactory sockets;
    private final Proxy proxy;
    private final int timeoutMillis;

    /**
     * @param proxy the proxy to tunnel through, or null to follow the JVM's proxy settings (none by default)
     */
    public HttpsCaller(SSLSocketFactory sockets, Proxy proxy, Duration timeout) {
        this.sockets = sockets;
        this.proxy = proxy;
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    /** An HTTP answer: status, headers (names lower-cased, first value) and body text. */
    public static final class Response {
        private final int status;
        private final Map<String, String> headers;
        private final String body;

        Response(int status, Map<String, String> headers, String body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }

        public String body() {
            return body;
        }
    }

    /**
     * Sends one request and reads the whole answer, whatever its status.
     *
     * @param body JSON text, or null for none
     * @throws IOException on a transport failure (connection, TLS, timeout)
     */
    public Response send(String method, URI uri, Map<String, String> headers, String body) throws IOException {
        URLConnection raw = proxy == null ? uri.toURL().openConnection() : uri.toURL().openConnection(proxy);
        if (!(raw instanceof HttpsURLConnection)) {
            throw new IOException("not an https URL: " + uri);
        }
        HttpsURLConnection c = (HttpsURLConnection) raw;
        c.setSSLSocketFactory(sockets);
        c.setConnectTimeout(timeoutMillis);
        c.setReadTimeout(timeoutMillis);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setRequestMethod(method);
        c.setRequestProperty("Accept", "application/json");
        headers.forEach(c::setRequestProperty);
        if (body != null) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json; charset=utf-8");
            try (OutputStream out = c.getOutputStream()) {
                out.write(bytes);
            }
        }
        int status;
        try {
            status = c.getResponseCode();
        } catch (HttpRetryException e) {
            // Only thrown when a JVM-wide Authenticator wanted to answer a 401 challenge; report the 401.
            return new Response(e.responseCode(), Map.of(), "");
        }
        return new Response(status, headers(c), readBody(c, status));
    }

    private static Map<String, String> headers(HttpURLConnection c) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : c.getHeaderFields().entrySet()) {
            if (e.getKey() != null && !e.getValue().isEmpty()) {
                out.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().get(0));
            }
        }
        return out;
    }

    private static String readBody(HttpURLConnection c, int status) throws IOException {
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        if (in == null) {
            return "";
        }
        try (InputStream stream = in) {
            byte[] bytes = stream.readNBytes(MAX_BODY_BYTES);
            // Drain a little more so the connection can be reused; beyond that, closing is cheaper.
            stream.skip(MAX_BODY_BYTES);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
