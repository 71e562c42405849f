package io.multiscope.testkit.proxy;

import io.multiscope.testkit.ServiceClientRouting;
import static io.multiscope.testkit.proxy.ProxyFixture.EU1;
import static io.multiscope.testkit.proxy.ProxyFixture.HUB1;
import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.core.http.AdminAuthenticator;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.testkit.DpsEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code /v1/registrations} over real HTTPS in front of the proxy and two emulated DPS instances. */
class ProxyHttpTest {

    static final String ADMIN_TOKEN = "admin-token-for-the-proxy-tests";

    static DpsEmulator dps;
    static ServiceClientRouting routing;
    static ProxyFixture fixture;
    static ProvisioningHttpServer server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        dps = ProxyFixture.startEmulator();
        routing = ServiceClientRouting.install(dps);
        // One registration a minute per instance, so a test can fill the queue; a one-place queue.
        fixture = new ProxyFixture(dps, 1, true, b -> b.waitQueue(1, Duration.ofMinutes(2)));
        ProvisioningApi api = ProvisioningApi.builder(fixture.proxy)
                .admin(AdminAuthenticator.bearerToken(ADMIN_TOKEN)).build();
        server = ProvisioningHttpServer.https(api, dps.certificates().serverKeyManagers(List.of())).threads(2)
                .start();
        http = HttpClient.newBuilder().sslContext(dps.clientSslContext()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        fixture.close();
        routing.close();
        dps.close();
    }

    @Test
    void registrationLookupQueueingAndDeprovisionOverHttps() throws Exception {
        HttpResponse<String> created = register("sensor-1", "{\"registrationId\":\"sensor-1\","
                + "\"payload\":{\"modelId\":\"dtmi:com:example:Sensor;1\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).contains("\"assignedHub\":\"" + HUB1 + "\"", "\"deviceId\":\"sensor-1\"",
                "\"instanceId\":\"" + EU1 + "\"", "\"newlyRegistered\":true", "\"state\":\"REGISTERED\"");

        HttpResponse<String> again = register("sensor-1", null);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"newlyRegistered\":false");

        HttpResponse<String> lookup = send(HttpRequest.newBuilder(uri("/v1/registrations/sensor-1"))
                .header("Authorization", token("sensor-1")).GET());
        assertThat(lookup.statusCode()).isEqualTo(200);
        assertThat(lookup.body()).contains(HUB1);

        // eu-2 takes one device; then both buckets are empty. The next request waits in the one-place queue
        // without an HTTP thread (the server has two), the one after is deferred at once.
        assertThat(register("sensor-2", null).statusCode()).isEqualTo(201);
        CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(post("sensor-3", null),
                HttpResponse.BodyHandlers.ofString());
        awaitQueueLength(1);
        HttpResponse<String> deferred = register("sensor-4", null);
        assertThat(deferred.statusCode()).as(deferred.body()).isEqualTo(429);
        assertThat(deferred.headers().firstValueAsLong("Retry-After").orElse(0)).isPositive();
        assertThat(deferred.body()).contains("/deferred\"");
        assertThat(register("sensor-5", "{\"registrationId\":\"sensor-5\",\"payload\":[1]}").statusCode())
                .isEqualTo(400);
        assertThat(waiting).isNotDone();
        fixture.scheduler.advance(Duration.ofSeconds(60));
        assertThat(waiting.get().statusCode()).isEqualTo(201);

        HttpResponse<String> notAdmin = send(HttpRequest.newBuilder(uri("/v1/registrations/sensor-1")).DELETE());
        assertThat(notAdmin.statusCode()).isEqualTo(403);
        HttpResponse<String> bye = send(HttpRequest.newBuilder(uri("/v1/registrations/sensor-1"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).DELETE());
        assertThat(bye.statusCode()).as(bye.body()).isEqualTo(204);
        assertThat(dps.instance(EU1).registration("sensor-1")).isEmpty();

        HttpResponse<String> wrongKey = send(HttpRequest.newBuilder(uri("/v1/registrations"))
                .header("Content-Type", "application/json")
                .header("Authorization", fixture.credentials("sensor-9", "sensor-8").authorization().orElseThrow())
                .POST(HttpRequest.BodyPublishers.ofString("{\"registrationId\":\"sensor-9\"}")));
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        assertThat(wrongKey.body()).contains("invalid-signature");
        HttpResponse<String> pattern1 = register("sensor-1", null, "/v1/assignments");
        assertThat(pattern1.statusCode()).isEqualTo(404);
        assertThat(pattern1.body()).contains("pattern-not-enabled");
    }

    @Test
    void badRequestsAreRefusedWithAProblemAndChangeNothing() throws Exception {
        long dpsCalls = fixture.proxy.stats().dpsCalls();
        long assigned = fixture.proxy.store().assignedCounts().values().stream().mapToLong(Long::longValue).sum();

        assertProblem(register("bad-1", "{\"registrationId\":"), 400, "malformed-json");
        assertProblem(register("bad-1", "{\"registrationId\":\"bad-1\",\"colour\":\"red\"}"), 400, "unknown-field");
        assertProblem(register("bad-1", "{\"region\":\"westeurope\"}"), 400, "missing-field");
        assertProblem(register("bad-1", "{\"registrationId\":\"bad-1\",\"region\":\"moon-1\"}"), 400,
                "unknown-region");
        assertProblem(register("bad-1", "{\"registrationId\":\"bad-1\",\"payload\":\"" + "x".repeat(20_000)
                + "\"}"), 413, "payload-too-large");
        assertProblem(send(HttpRequest.newBuilder(uri("/v1/registrations")).header("Content-Type", "text/plain")
                .header("Authorization", token("bad-1"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"registrationId\":\"bad-1\"}"))), 415,
                "unsupported-media-type");
        assertProblem(send(HttpRequest.newBuilder(uri("/v1/registrations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"registrationId\":\"bad-1\"}"))), 401,
                "authentication-required");
        assertProblem(send(HttpRequest.newBuilder(uri("/v1/registrations/Bad%2F1"))
                .header("Authorization", token("bad-1")).GET()), 404, "not-found");
        assertProblem(send(HttpRequest.newBuilder(uri("/v1/registrations/never-registered"))
                .header("Authorization", token("never-registered")).GET()), 404, "registration-not-found");
        assertProblem(send(HttpRequest.newBuilder(uri("/v1/registrations"))
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))), 405, "method-not-allowed");

        assertThat(fixture.proxy.stats().dpsCalls()).isEqualTo(dpsCalls);
        assertThat(fixture.proxy.store().assignedCounts().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(assigned);
        assertThat(fixture.proxy.store().findAssignment("bad-1")).isEmpty();
    }

    private static void assertProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(response.body()).contains("/problems/" + type + "\"");
    }

    private static void awaitQueueLength(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fixture.proxy.queueLength() < expected && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
        assertThat(fixture.proxy.queueLength()).isEqualTo(expected);
    }

    private static HttpResponse<String> register(String id, String body) throws Exception {
        return register(id, body, "/v1/registrations");
    }

    private static HttpResponse<String> register(String id, String body, String path) throws Exception {
        return http.send(post(id, body, path), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest post(String id, String body) {
        return post(id, body, "/v1/registrations");
    }

    private static HttpRequest post(String id, String body, String path) {
        return HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header("Authorization", token(id)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body != null ? body
                        : "{\"registrationId\":\"" + id + "\"}")).build();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String token(String id) {
        return fixture.credentials(id, id).authorization().orElseThrow();
    }

    private static URI uri(String path) {
        return URI.create(server.uri() + path);
    }
}
