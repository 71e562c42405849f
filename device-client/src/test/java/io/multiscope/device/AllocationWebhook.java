package io.multiscope.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.multiscope.testkit.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A custom allocation webhook over HTTPS, as a factory or owner DPS instance calls it: {@code POST /allocate/{name}}
 * with DPS's AllocationRequest, answered with the first linked hub and whatever payload the test set for that name
 * (none by default). One webhook serves every emulated instance, each under its own path, since the request itself
 * does not say which instance sends it.
 */
final class AllocationWebhook implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpsServer server;
    private final Map<String, String> payloads = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();

    private AllocationWebhook(HttpsServer server) {
        this.server = server;
    }

    /** Serves on a free loopback port with a server certificate from {@code pki}, which the emulator trusts. */
    static AllocationWebhook start(TestCertificates pki) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(pki.serverSslContext(List.of())));
            AllocationWebhook webhook = new AllocationWebhook(server);
            server.createContext("/allocate/", webhook::handle);
            server.start();
            return webhook;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL to configure as {@code name}'s custom allocation webhook. */
    URI url(String name) {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/allocate/" + name);
    }

    /** From now on, {@code name} answers with this payload (JSON object text), or none if null. */
    void payload(String name, String payloadJson) {
        if (payloadJson == null) {
            payloads.remove(name);
        } else {
            payloads.put(name, payloadJson);
        }
    }

    /** How often {@code name}'s webhook was called. */
    long calls(String name) {
        AtomicLong count = calls.get(name);
        return count == null ? 0 : count.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String name = exchange.getRequestURI().getPath().substring("/allocate/".length());
            calls.computeIfAbsent(name, n -> new AtomicLong()).incrementAndGet();
            JsonNode request;
            try (InputStream in = exchange.getRequestBody()) {
                request = JSON.readTree(in);
            }
            ObjectNode answer = JSON.createObjectNode();
            answer.put("iotHubHostName", request.path("linkedHubs").path(0).asText());
            String payload = payloads.get(name);
            if (payload != null) {
                answer.set("payload", JSON.readTree(payload));
            }
            byte[] body = JSON.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    @Override
    public String toString() {
        return "AllocationWebhook[" + url("") + "]";
    }
}
