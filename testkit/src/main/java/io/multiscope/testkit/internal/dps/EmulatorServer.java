package io.multiscope.testkit.internal.dps;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.multiscope.testkit.internal.certs.DeferredClientTrust;
import io.multiscope.testkit.internal.mqtt.MqttListener;
import java.io.IOException;
import java.net.InetSocketAddress;
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

/**
 * The HTTPS listener every emulated instance shares. It asks clients for a certificate and leaves judging it to the
 * enrollments ({@link DeferredClientTrust}).
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
    private final MqttListener mqtt;

    /**
     * What the server needs to know.
     *
     * @param mqttAddress where to listen for MQTT, or {@code null} for none
     */
    public record Config(InetSocketAddress address, KeyManager[] keyManagers, Clock clock, boolean instant,
            int assigningPolls, int retryAfterSeconds, SSLContext webhookTrust, Duration webhookTimeout,
            int workerThreads, InetSocketAddress mqttAddress) {
    }

    private EmulatorServer(HttpsServer server, ExecutorService executor, MqttListener mqtt) {
        this.server = server;
        this.executor = executor;
        this.mqtt = mqtt;
    }

    public static EmulatorServer start(Config config, List<InstanceRuntime> instances) throws IOException {
        Map<String, InstanceRuntime> byScope = instances.stream().collect(Collectors.toUnmodifiableMap(
                i -> i.settings().idScope().toLowerCase(Locale.ROOT), Function.identity()));
        Map<String, InstanceRuntime> byHost = instances.stream().collect(Collectors.toUnmodifiableMap(
                i -> i.settings().serviceHostName().toLowerCase(Locale.ROOT), Function.identity()));
        HubAllocator allocator = new HubAllocator(
                new CustomAllocationWebhook(config.webhookTrust(), config.webhookTimeout()));
        RegistrationEngine engine = new RegistrationEngine(allocator, config.instant(), config.assigningPolls());
        DeviceOperations operations = new DeviceOperations(engine, config.retryAfterSeconds());
        EmulatorHandler handler = new EmulatorHandler(new DeviceApi(byScope, operations), new ServiceApi(byHost),
                config.clock());

        SSLContext tls = DeferredClientTrust.serverContext(config.keyManagers());
        MqttListener mqtt = config.mqttAddress() == null ? null
                : MqttListener.start(config.mqttAddress(), tls, byScope, operations, config.clock());
        HttpsServer server;
        try {
            server = HttpsServer.create(config.address(), 200);
        } catch (IOException e) {
            if (mqtt != null) {
                mqtt.close();
            }
            throw e;
        }
        server.setHttpsConfigurator(new ClientCertificateRequesting(tls));
        server.createContext("/", handler);
        ExecutorService executor = workers(config.workerThreads());
        server.setExecutor(executor);
        server.start();
        return new EmulatorServer(server, executor, mqtt);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (mqtt != null) {
            mqtt.close();
        }
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
}
