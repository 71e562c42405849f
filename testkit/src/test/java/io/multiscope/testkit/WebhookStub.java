package io.multiscope.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A custom allocation webhook for tests: records each AllocationRequest and answers what the test says. */
final class WebhookStub implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: HTTP status and JSON body. */
    record Reply(int status, String body) {
    }

    private final HttpServer server;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private volatile Function<JsonNode, Reply> responder;

    private WebhookStub(Function<JsonNode, Reply> responder) {
        this.responder = responder;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/api/allocate", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(request);
            Reply reply = this.responder.apply(request);
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    static WebhookStub start(Function<JsonNode, Reply> responder) {
        return new WebhookStub(responder);
    }

    /** Like the SDK team's e2e function: echo the device's payload and pick the first offered hub. */
    static WebhookStub echoing() {
        return start(WebhookStub::echo);
    }

    static Reply echo(JsonNode request) {
        var answer = JSON.createObjectNode();
        answer.put("iotHubHostName", request.path("linkedHubs").path(0).asText());
        JsonNode payload = request.path("deviceRuntimeContext").get("payload");
        if (payload != null) {
            answer.set("payload", payload);
        }
        return new Reply(200, answer.toString());
    }

    void respondWith(Function<JsonNode, Reply> newResponder) {
        this.responder = newResponder;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/allocate?code=test-key");
    }

    List<JsonNode> requests() {
        return requests;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
