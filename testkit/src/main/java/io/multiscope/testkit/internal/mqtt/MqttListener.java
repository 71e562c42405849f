package io.multiscope.testkit.internal.mqtt;

import io.multiscope.testkit.internal.dps.DeviceOperations;
import io.multiscope.testkit.internal.dps.InstanceRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device API over MQTT 3.1.1 on TLS, for the SDK's MQTT transport. That transport always connects to port 8883
 * of the endpoint it is given, so each emulator needs an address of its own, such as a distinct loopback IP.
 */
public final class MqttListener implements AutoCloseable {

    /** The port the device SDK's MQTT transport always uses. */
    public static final int SDK_PORT = 8883;

    private static final Logger LOG = LoggerFactory.getLogger(MqttListener.class);

    private final SSLServerSocket server;
    private final ExecutorService threads;
    private final Map<String, InstanceRuntime> instancesByIdScope;
    private final DeviceOperations operations;
    private final Clock clock;
    private volatile boolean closed;

    private MqttListener(SSLServerSocket server, Map<String, InstanceRuntime> instancesByIdScope,
            DeviceOperations operations, Clock clock) {
        this.server = server;
        this.instancesByIdScope = instancesByIdScope;
        this.operations = operations;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dps-emulator-mqtt-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param sslContext server keys, with client-certificate checks deferred to the enrollments
     * @param instancesByIdScope keyed by lower-cased ID scope
     */
    public static MqttListener start(InetSocketAddress address, SSLContext sslContext,
            Map<String, InstanceRuntime> instancesByIdScope, DeviceOperations operations, Clock clock)
            throws IOException {
        SSLServerSocket server = (SSLServerSocket) sslContext.getServerSocketFactory().createServerSocket();
        server.setReuseAddress(true);
        server.setWantClientAuth(true);
        server.setEnabledProtocols(new String[] {"TLSv1.2"});
        server.bind(address, 50);
        MqttListener listener = new MqttListener(server, instancesByIdScope, operations, clock);
        listener.threads.execute(listener::acceptLoop);
        return listener;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing MQTT listener", e);
        }
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SSLSocket socket = (SSLSocket) server.accept();
                socket.setTcpNoDelay(true);
                threads.execute(new MqttSession(socket, instancesByIdScope, operations, clock));
            } catch (SocketException e) {
                if (!closed) {
                    LOG.warn("MQTT listener stopped", e);
                }
                return;
            } catch (IOException e) {
                LOG.debug("MQTT accept failed", e);
            }
        }
    }
}
