package io.multiscope.examples;

import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EmulatedDpsInstance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Lets the real {@code ProvisioningServiceClient} reach the emulator for the duration of the demo: it only
 * connects to {@code https://<HostName>:443} with the JVM's default TLS settings, so this installs, JVM-wide, a proxy
 * selector sending the emulator's service host names through a small CONNECT relay to the emulator's port, and a
 * default socket factory trusting the emulator's CA; {@link #close()} restores both.
 *
 * <p>A stand-in for the testkit's own service-client routing, which is being added on another branch; switch to it
 * once it is on the main line.
 */
final class DemoServiceRouting implements AutoCloseable {

    private final ServerSocket relay;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "demo-connect-relay");
        t.setDaemon(true);
        return t;
    });
    private final ProxySelector previousSelector;
    private final SSLSocketFactory previousFactory;
    private volatile boolean closed;

    private DemoServiceRouting(DpsEmulator dps) throws IOException {
        Set<String> hosts = dps.instances().stream().map(EmulatedDpsInstance::serviceHostName)
                .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), dps.port());
        relay = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(() -> accept(target));
        Proxy viaRelay = new Proxy(Proxy.Type.HTTP, relay.getLocalSocketAddress());
        previousSelector = ProxySelector.getDefault();
        previousFactory = HttpsURLConnection.getDefaultSSLSocketFactory();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
                if (hosts.contains(host)) {
                    return List.of(viaRelay);
                }
                return previousSelector != null ? previousSelector.select(uri) : List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            }
        });
        HttpsURLConnection.setDefaultSSLSocketFactory(dps.clientSslContext().getSocketFactory());
    }

    static DemoServiceRouting install(DpsEmulator dps) throws IOException {
        return new DemoServiceRouting(dps);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        ProxySelector.setDefault(previousSelector);
        HttpsURLConnection.setDefaultSSLSocketFactory(previousFactory);
        relay.close();
        threads.shutdownNow();
    }

    private void accept(InetSocketAddress target) {
        while (!closed) {
            try {
                Socket client = relay.accept();
                threads.execute(() -> relay(client, target));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client, InetSocketAddress target) {
        try (client; Socket upstream = new Socket()) {
            readHead(client.getInputStream());
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(target, 5000);
            OutputStream out = client.getOutputStream();
            out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            threads.execute(() -> pipe(client, upstream));
            pipe(upstream, client);
        } catch (IOException e) {
            // the demo is over or a side hung up
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    private static void readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0 || head.size() > 8192) {
                throw new IOException("incomplete CONNECT request");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }
}
