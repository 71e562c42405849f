package io.multiscope.core.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ProvisioningApi} on the JDK's built-in HTTPS server ({@code com.sun.net.httpserver}), with no other
 * dependency.
 *
 * <p>With {@link Builder#requestClientCertificates(boolean)} the server asks devices for a TLS client certificate
 * but accepts any at the TLS layer, so that the X.509 attestation, not the handshake, decides and an untrusted or
 * expired certificate gets a clear 401 problem instead of a broken connection.
 */
public final class ProvisioningHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningHttpServer.class);
    /** How much of an oversized body is read and thrown away before answering 413. */
    private static final long DRAIN_LIMIT = 1 << 20;

    private final HttpsServer server;
    private final ExecutorService executor;

    private ProvisioningHttpServer(HttpsServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * A server for {@code api} whose TLS identity comes from {@code keyManagers} (e.g. a
     * {@link javax.net.ssl.KeyManagerFactory} over the server's key store).
     */
    public static Builder https(ProvisioningApi api, KeyManager[] keyManagers) {
        return new Builder(api, keyManagers);
    }

    /** The port the server listens on (the chosen one when 0 was asked for). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code https://localhost:<port>}. */
    public URI uri() {
        return URI.create("https://localhost:" + port());
    }

    /** Stops accepting requests, lets running ones finish for up to a second, and frees the port. */
    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads the request on the server thread, then answers when the API's future completes, on the server's executor:
     * a proxy registration waiting in the queue for a DPS budget holds no thread meanwhile.
     */
    private static void serve(ProvisioningApi api, HttpExchange exchange, ExecutorService executor)
            throws IOException {
        ApiRequest request;
        try {
            request = toRequest(api, exchange);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Reading a request from {} failed: {}", exchange.getRemoteAddress(), e.toString());
            exchange.close();
            throw e;
        }
        api.handleAsync(request).whenCompleteAsync((response, failure) -> respond(exchange, response), executor);
    }

    private static void respond(HttpExchange exchange, ApiResponse response) {
        try (exchange) {
            response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            byte[] body = response.body();
            exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Answering {} failed: {}", exchange.getRemoteAddress(), e.toString());
        }
    }

    private static ApiRequest toRequest(ProvisioningApi api, HttpExchange exchange) throws IOException {
        int limit = api.maxBodyBytes();
        byte[] body;
        boolean tooLarge;
        try (InputStream in = exchange.getRequestBody()) {
            // Read one byte past the limit so an oversized body is detected without reading all of it.
            body = in.readNBytes(limit + 1);
            tooLarge = body.length > limit;
            if (tooLarge) {
                // Discard a bounded rest so the client reads our 413 instead of a reset connection.
                drain(in);
            }
        }
        Map<String, List<String>> headers = exchange.getRequestHeaders();
        return new ApiRequest(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                tooLarge ? new byte[0] : body, tooLarge, clientChain(exchange),
                exchange.getRequestURI().getRawQuery());
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        long left = DRAIN_LIMIT;
        int n;
        while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
            left -= n;
        }
    }

    private static List<X509Certificate> clientChain(HttpExchange exchange) {
        if (!(exchange instanceof HttpsExchange https)) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : https.getSSLSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /** Accepts any client certificate at the TLS layer; the X.509 attestation validates the chain afterwards. */
    private static final class DeferToAttestation implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws
                java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("this trust manager is for a server only");
        }

        /** Empty, so clients do not filter their certificate by the issuers we advertise. */
        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** Configures a {@link ProvisioningHttpServer}. */
    public static final class Builder {
        private final ProvisioningApi api;
        private final KeyManager[] keyManagers;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port;
        private boolean clientCertificates;
        private int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);
        private int backlog = 1024;

        private Builder(ProvisioningApi api, KeyManager[] keyManagers) {
            this.api = Objects.requireNonNull(api, "api");
            this.keyManagers = Objects.requireNonNull(keyManagers, "keyManagers").clone();
        }

        /** The address to listen on; the loopback address by default (set it explicitly to serve a network). */
        public Builder bind(InetAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** Ask devices for a TLS client certificate (for X.509 attestation). Off by default. */
        public Builder requestClientCertificates(boolean request) {
            this.clientCertificates = request;
            return this;
        }

        /** Worker threads handling requests. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        public ProvisioningHttpServer start() throws IOException {
            SSLContext tls;
            try {
                tls = SSLContext.getInstance("TLS");
                tls.init(keyManagers, clientCertificates ? new TrustManager[] {new DeferToAttestation()} : null,
                        new SecureRandom());
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS for the provisioning server", e);
            }
            HttpsServer server = HttpsServer.create(new InetSocketAddress(bindAddress, port), backlog);
            boolean wantClientAuth = clientCertificates;
            server.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = tls.getDefaultSSLParameters();
                    p.setWantClientAuth(wantClientAuth);
                    params.setSSLParameters(p);
                }
            });
            AtomicInteger n = new AtomicInteger();
            ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "multiscope-http-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            server.createContext("/", exchange -> serve(api, exchange, executor));
            server.start();
            LOG.info("Provisioning API listening on https://{}:{}", bindAddress.getHostAddress(),
                    server.getAddress().getPort());
            return new ProvisioningHttpServer(server, executor);
        }
    }
}
