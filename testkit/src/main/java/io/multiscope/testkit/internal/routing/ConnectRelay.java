package io.multiscope.testkit.internal.routing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal HTTP proxy that only understands {@code CONNECT host:port}: for a host it has a route for, it connects
 * to the route's target and pipes bytes both ways; TLS stays end to end between client and target. Anything else is
 * refused. This is how a client that insists on {@code https://host:443} reaches an emulator on another port.
 */
public final class ConnectRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectRelay.class);
    private static final int MAX_HEAD = 8192;

    private final ServerSocket server;
    private final Function<String, Optional<InetSocketAddress>> routes;
    private final ExecutorService threads;
    private volatile boolean closed;

    private ConnectRelay(ServerSocket server, Function<String, Optional<InetSocketAddress>> routes) {
        this.server = server;
        this.routes = routes;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dps-connect-relay-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param routes the target for a lower-cased host name, if it has one
     */
    public static ConnectRelay start(InetSocketAddress bind, Function<String, Optional<InetSocketAddress>> routes)
            throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(bind, 50);
        ConnectRelay relay = new ConnectRelay(server, routes);
        relay.threads.execute(relay::acceptLoop);
        return relay;
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
            LOG.debug("closing relay socket", e);
        }
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("relay stopped accepting connections", e);
                }
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            String head = readHead(client.getInputStream());
            String[] requestLine = head.split("\r\n", 2)[0].split(" ");
            OutputStream toClient = client.getOutputStream();
            if (requestLine.length < 3 || !requestLine[0].equalsIgnoreCase("CONNECT")) {
                refuse(toClient, "405 Method Not Allowed");
                return;
            }
            String authority = requestLine[1];
            int colon = authority.lastIndexOf(':');
            String host = (colon > 0 ? authority.substring(0, colon) : authority).toLowerCase(Locale.ROOT);
            Optional<InetSocketAddress> target = routes.apply(host);
            if (target.isEmpty()) {
                refuse(toClient, "403 Forbidden");
                return;
            }
            try (Socket upstream = new Socket()) {
                // Small request/response exchanges: without this every one waits on a delayed ACK.
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target.get(), 5000);
                toClient.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                toClient.flush();
                threads.execute(() -> pipe(client, upstream));
                pipe(upstream, client);
            } catch (IOException e) {
                refuse(toClient, "502 Bad Gateway");
            }
        } catch (IOException e) {
            LOG.debug("relay connection ended", e);
        }
    }

    private static void refuse(OutputStream out, String status) throws IOException {
        out.write(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Copies until either side closes, then closes both so the other pipe ends too. */
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
        } catch (SocketException e) {
            // the other direction closed the sockets
        } catch (IOException e) {
            LOG.debug("relay pipe ended", e);
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0 || head.size() >= MAX_HEAD) {
                throw new IOException("incomplete proxy request");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
