package io.multiscope.device.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpRetryException;
import java.net.InetAddress;
import java.net.Socket;
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

    private final SSLSocketFactory base;
    private volatile SSLSocketFactory sockets;
    private final Proxy proxy;
    private final int timeoutMillis;

    /**
     * @param proxy the proxy to tunnel through, or null to follow the JVM's proxy settings (none by default)
     */
    public HttpsCaller(SSLSocketFactory sockets, Proxy proxy, Duration timeout) {
        this.base = sockets;
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
        int status;
        try {
            if (body != null) {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json; charset=utf-8");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(bytes);
                }
            }
            status = c.getResponseCode();
        } catch (HttpRetryException e) {
            // Only thrown when a JVM-wide Authenticator wanted to answer a 401 challenge; report the 401.
            freshConnections();
            return new Response(e.responseCode(), Map.of(), "");
        } catch (IOException e) {
            freshConnections();
            throw e;
        }
        Response response = new Response(status, headers(c), readBody(c, status));
        if (status >= 300 && status != 404) {
            freshConnections();
        }
        return response;
    }

    /**
     * Makes the next calls open new connections instead of reusing kept-alive ones. Used after a failure: the next
     * call is seconds away anyway, and a connection a server answered early on (a throttle or fault before it read
     * the request body) or that a failing path left behind may be unusable, costing the next call a read timeout.
     * The JDK's keep-alive cache keys HTTPS connections by socket factory instance, so a new wrapper is enough.
     * (A 404 is the normal "not yet" answer of both the provisioning API and DPS's lookup, not a failure.)
     */
    private void freshConnections() {
        sockets = new FreshSocketFactory(base);
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

    /** The same TLS settings under a new identity, so the keep-alive cache holds no connection for it. */
    private static final class FreshSocketFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;

        FreshSocketFactory(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return delegate.createSocket();
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return delegate.createSocket(s, host, port, autoClose);
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return delegate.createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return delegate.createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return delegate.createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return delegate.createSocket(address, port, localAddress, localPort);
        }
    }
}
