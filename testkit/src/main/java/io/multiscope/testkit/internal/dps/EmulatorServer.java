package io.multiscope.testkit.internal.dps;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The HTTPS listener every emulated instance shares. It asks clients for a certificate without naming acceptable
 * CAs and accepts whatever they send, because DPS decides per enrollment, after the handshake, whether a device
 * certificate is good.
 */
public final class EmulatorServer implements AutoCloseable {

    static {
        // The JDK server writes headers and body separately; with Nagle's algorithm on, each exchange then waits for
        // a delayed ACK (~40 ms). Read once by the JDK when its HTTP server classes load; an explicit setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpsServer server;
    private final ExecutorService executor;

    /** What the server needs to know. */
    public record Config(InetSocketAddress address, KeyManager[] keyManagers, Clock clock, boolean instant,
            int assigningPolls, int retryAfterSeconds, SSLContext webhookTrust, Duration webhookTimeout,
            int workerThreads) {
    }

    private EmulatorServer(HttpsServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static EmulatorServer start(Config config, List<InstanceRuntime> instances) throws IOException {
        Map<String, InstanceRuntime> byScope = instances.stream().collect(Collectors.toUnmodifiableMap(
                i -> i.settings().idScope().toLowerCase(Locale.ROOT), Function.identity()));
        Map<String, InstanceRuntime> byHost = instances.stream().collect(Collectors.toUnmodifiableMap(
                i -> i.settings().serviceHostName().toLowerCase(Locale.ROOT), Function.identity()));
        HubAllocator allocator = new HubAllocator(
                new CustomAllocationWebhook(config.webhookTrust(), config.webhookTimeout()));
        RegistrationEngine engine = new RegistrationEngine(allocator, config.instant(), config.assigningPolls());
        EmulatorHandler handler = new EmulatorHandler(new DeviceApi(byScope, engine, config.retryAfterSeconds()),
                new ServiceApi(byHost), config.clock());

        HttpsServer server = HttpsServer.create(config.address(), 200);
        server.setHttpsConfigurator(new ClientCertificateRequesting(sslContext(config.keyManagers())));
        server.createContext("/", handler);
        ExecutorService executor = workers(config.workerThreads());
        server.setExecutor(executor);
        server.start();
        return new EmulatorServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static ExecutorService workers(int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "dps-emulator-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static SSLContext sslContext(KeyManager[] keyManagers) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, new TrustManager[] {new AcceptAnyClient()}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the emulator's SSLContext", e);
        }
    }

    private static final class ClientCertificateRequesting extends HttpsConfigurator {

        ClientCertificateRequesting(SSLContext context) {
            super(context);
        }

        @Override
        public void configure(HttpsParameters params) {
            SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
            // "Want", not "need": symmetric-key devices and the service client present no certificate.
            ssl.setWantClientAuth(true);
            // TLS 1.2, the version DPS negotiates and the device SDK asks for.
            ssl.setProtocols(new String[] {"TLSv1.2"});
            params.setSSLParameters(ssl);
        }
    }

    /**
     * Accepts any client chain and names no acceptable issuers: with a non-empty list the JDK client would only send a
     * certificate issued by one of them, and DPS lets each enrollment decide which CA counts.
     */
    private static final class AcceptAnyClient implements X509TrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // checked per enrollment after the handshake
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("the emulator is a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
