package io.multiscope.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.time.VirtualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProvisioningApiTest {

    static final String GROUP_KEY = Base64.getEncoder().encodeToString("group-key-of-32-bytes-for-tests!".getBytes());
    static final String ADMIN = "admin-token-0123456789";

    final ObjectMapper json = new ObjectMapper();
    VirtualClock clock;
    InMemoryInventoryStore store;
    ProvisioningApi api;

    @BeforeEach
    void setUp() {
        clock = VirtualClock.startingAt(Instant.now());
        store = new InMemoryInventoryStore(clock);
        ZeroTouchProvisioning service = ZeroTouchProvisioning.builder().store(store).clock(clock).ticker(clock)
                .snapshotInterval(Duration.ZERO)
                .instance(DpsInstance.builder("eu").idScope("0ne-eu").region("westeurope")
                        .registrationsPerMinute(10).build())
                .instance(DpsInstance.builder("us").idScope("0ne-us").region("eastus").registrationsPerMinute(10)
                        .build())
                .admission(AdmissionControl.builder().clock(clock).build())
                .attestation(SymmetricKeyAttestation.builder().groupKey(GROUP_KEY).clock(clock).build())
                .build();
        api = ProvisioningApi.builder(service).admin(AdminAuthenticator.bearerToken(ADMIN)).maxBodyBytes(1024)
                .build();
    }

    String token(String registrationId) {
        return SasToken.forDevice(SasToken.deviceResource("multiscope", registrationId),
                SasToken.deriveDeviceKey(GROUP_KEY, registrationId), clock.instant().plus(Duration.ofMinutes(10)));
    }

    ApiResponse call(String method, String path, String body, Map<String, String> headers) {
        Map<String, String> h = new HashMap<>(headers);
        h.putIfAbsent("Content-Type", "application/json");
        return api.handle(ApiRequest.of(method, path, h, body == null ? new byte[0]
                : body.getBytes(StandardCharsets.UTF_8)));
    }

    ApiResponse assign(String registrationId, String body) {
        return call("POST", "/v1/assignments", body, Map.of("Authorization", token(registrationId)));
    }

    JsonNode body(ApiResponse r) throws Exception {
        return json.readTree(r.body());
    }

    void assertProblem(ApiResponse r, int status, String type) throws Exception {
        assertThat(r.status()).as(r.bodyText()).isEqualTo(status);
        assertThat(r.headers()).containsEntry("Content-Type", "application/problem+json");
        JsonNode b = body(r);
        assertThat(b.get("type").asText()).isEqualTo("https://multiscope.io/problems/" + type);
        assertThat(b.get("status").asInt()).isEqualTo(status);
        assertThat(b.get("detail").asText()).isNotBlank();
    }

    void assertNothingAssigned() {
        assertThat(store.assignedCounts().values()).allMatch(n -> n == 0);
    }

    @Test
    void assignsANewDeviceWith201AndAKnownOneWith200() throws Exception {
        ApiResponse created = assign("dev-1", "{\"registrationId\":\"dev-1\",\"region\":\"eastus\"}");
        assertThat(created.status()).isEqualTo(201);
        JsonNode b = body(created);
        assertThat(b.get("instanceId").asText()).isEqualTo("us");
        assertThat(b.get("idScope").asText()).isEqualTo("0ne-us");
        assertThat(b.get("globalEndpoint").asText()).isEqualTo(DpsInstance.DEFAULT_GLOBAL_ENDPOINT);
        assertThat(b.get("newlyAssigned").asBoolean()).isTrue();
        ApiResponse again = assign("dev-1", "{\"registrationId\":\"dev-1\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(body(again).get("instanceId").asText()).isEqualTo("us");
    }

    @Test
    void lookupAnswers404ThenTheAssignment() throws Exception {
        assertProblem(call("GET", "/v1/assignments/dev-1", null, Map.of("Authorization", token("dev-1"))), 404,
                "assignment-not-found");
        assign("dev-1", "{\"registrationId\":\"dev-1\"}");
        ApiResponse found = call("GET", "/v1/assignments/dev-1", null, Map.of("Authorization", token("dev-1")));
        assertThat(found.status()).isEqualTo(200);
        assertThat(body(found).get("registrationId").asText()).isEqualTo("dev-1");
        assertProblem(call("GET", "/v1/assignments/dev-1", null, Map.of("Authorization", token("dev-2"))), 401,
                "wrong-device");
    }

    @Test
    void deferralsAre429WithAnIntegerRetryAfter() throws Exception {
        ApiResponse r = null;
        for (int i = 0; i < 100; i++) {
            r = assign("dev-" + i, "{\"registrationId\":\"dev-" + i + "\",\"region\":\"westeurope\"}");
            if (r.status() == 429) {
                break;
            }
        }
        assertProblem(r, 429, "deferred");
        assertThat(r.headers().get("Retry-After")).matches("[1-9][0-9]*");
        assertThat(body(r).get("retryAfterSeconds").asLong()).isEqualTo(Long.parseLong(r.headers().get("Retry-After")));
    }

    @Test
    void malformedJsonIsRefused() throws Exception {
        for (String bad : new String[] {"{", "not json", "{\"registrationId\": 5}", "[]", "{\"registrationId\":\"a\"} x",
                "{\"registrationId\":\"dev-1\",\"attributes\":\"flat\"}"}) {
            ApiResponse r = assign("dev-1", bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
        }
        assertProblem(assign("dev-1", ""), 400, "malformed-json");
        assertNothingAssigned();
    }

    @Test
    void unknownFieldsAreNamed() throws Exception {
        ApiResponse r = assign("dev-1", "{\"registrationId\":\"dev-1\",\"regoin\":\"eastus\"}");
        assertProblem(r, 400, "unknown-field");
        assertThat(body(r).get("detail").asText()).contains("regoin");
        assertNothingAssigned();
    }

    @Test
    void oversizedBodiesAre413() throws Exception {
        String big = "{\"registrationId\":\"dev-1\",\"attributes\":{\"x\":\"" + "a".repeat(2000) + "\"}}";
        assertProblem(assign("dev-1", big), 413, "payload-too-large");
        ApiRequest flagged = new ApiRequest("POST", "/v1/assignments", Map.of(), new byte[0], true,
                java.util.List.of());
        assertProblem(api.handle(flagged), 413, "payload-too-large");
        assertNothingAssigned();
    }

    @Test
    void missingRegistrationIdAndWrongContentTypeAreRefused() throws Exception {
        assertProblem(assign("dev-1", "{}"), 400, "missing-field");
        assertProblem(call("POST", "/v1/assignments", "registrationId=dev-1",
                Map.of("Authorization", token("dev-1"), "Content-Type", "application/x-www-form-urlencoded")), 415,
                "unsupported-media-type");
        assertNothingAssigned();
    }

    @Test
    void invalidRegistrationIdsAre400() throws Exception {
        for (String id : new String[] {"", "a".repeat(129), "dev/1", "dev 1", "dev!"}) {
            ApiResponse r = call("POST", "/v1/assignments", "{\"registrationId\":\"" + id + "\"}",
                    Map.of("Authorization", token("dev-1")));
            assertProblem(r, 400, "invalid-registration-id");
        }
        assertNothingAssigned();
    }

    @Test
    void missingExpiredForgedAndBorrowedTokensAre401() throws Exception {
        String body = "{\"registrationId\":\"dev-1\"}";
        assertProblem(call("POST", "/v1/assignments", body, Map.of()), 401, "authentication-required");
        String expired = SasToken.forDevice(SasToken.deviceResource("multiscope", "dev-1"),
                SasToken.deriveDeviceKey(GROUP_KEY, "dev-1"), clock.instant().minus(Duration.ofHours(1)));
        assertProblem(call("POST", "/v1/assignments", body, Map.of("Authorization", expired)), 401, "token-expired");
        String forged = SasToken.forDevice(SasToken.deviceResource("multiscope", "dev-1"),
                Base64.getEncoder().encodeToString(new byte[32]), clock.instant().plus(Duration.ofMinutes(5)));
        assertProblem(call("POST", "/v1/assignments", body, Map.of("Authorization", forged)), 401,
                "invalid-signature");
        assertProblem(call("POST", "/v1/assignments", body, Map.of("Authorization", token("dev-2"))), 401,
                "wrong-device");
        assertProblem(call("POST", "/v1/assignments", body, Map.of("Authorization", "Bearer nonsense")), 401,
                "invalid-token");
        assertNothingAssigned();
    }

    @Test
    void unknownRegionIs400() throws Exception {
        assertProblem(assign("dev-1", "{\"registrationId\":\"dev-1\",\"region\":\"moon\"}"), 400, "unknown-region");
        assertNothingAssigned();
    }

    @Test
    void allInstancesDrainingIs503NamingEachInstance() throws Exception {
        Map<String, String> admin = Map.of("Authorization", "Bearer " + ADMIN);
        assertThat(call("POST", "/v1/instances/eu/drain", null, admin).status()).isEqualTo(200);
        assertThat(call("POST", "/v1/instances/us/drain", null, admin).status()).isEqualTo(200);
        ApiResponse r = assign("dev-1", "{\"registrationId\":\"dev-1\"}");
        assertProblem(r, 503, "no-eligible-instance");
        assertThat(body(r).get("exclusions").get("eu").asText()).isEqualTo("draining");
        assertThat(body(r).get("exclusions").get("us").asText()).isEqualTo("draining");
        assertNothingAssigned();
    }

    @Test
    void adminOperationsNeedTheAdminToken() throws Exception {
        assertProblem(call("GET", "/v1/instances", null, Map.of()), 403, "admin-required");
        assertProblem(call("GET", "/v1/instances", null, Map.of("Authorization", "Bearer wrong")), 403,
                "admin-required");
        assertProblem(call("POST", "/v1/instances/eu/drain", null, Map.of("Authorization", token("dev-1"))), 403,
                "admin-required");
        assertThat(store.findInstance("eu").orElseThrow().state().name()).isEqualTo("ACTIVE");
        Map<String, String> admin = Map.of("Authorization", "Bearer " + ADMIN);
        ApiResponse list = call("GET", "/v1/instances", null, admin);
        assertThat(list.status()).isEqualTo(200);
        assertThat(body(list).get("instances")).hasSize(2);
        assertProblem(call("POST", "/v1/instances/nope/drain", null, admin), 404, "unknown-instance");
    }

    @Test
    void deprovisionIsAdminOnlyAndFreesTheCount() throws Exception {
        assign("dev-1", "{\"registrationId\":\"dev-1\",\"region\":\"eastus\"}");
        assertProblem(call("DELETE", "/v1/assignments/dev-1", null, Map.of("Authorization", token("dev-1"))), 403,
                "admin-required");
        assertThat(store.assignedCount("us")).isEqualTo(1);
        Map<String, String> admin = Map.of("Authorization", "Bearer " + ADMIN);
        assertThat(call("DELETE", "/v1/assignments/dev-1", null, admin).status()).isEqualTo(204);
        assertThat(store.assignedCount("us")).isZero();
        assertProblem(call("DELETE", "/v1/assignments/dev-1", null, admin), 404, "assignment-not-found");
    }

    @Test
    void unknownPathsAndMethodsAreNamed() throws Exception {
        assertProblem(call("GET", "/v2/assignments", null, Map.of()), 404, "not-found");
        assertProblem(call("GET", "/", null, Map.of()), 404, "not-found");
        ApiResponse r = call("PUT", "/v1/assignments", "{}", Map.of());
        assertProblem(r, 405, "method-not-allowed");
        assertThat(r.headers()).containsEntry("Allow", "POST");
    }

    @Test
    void reprovisionChecksThePathAgainstTheBody() throws Exception {
        assign("dev-1", "{\"registrationId\":\"dev-1\"}");
        assertProblem(call("POST", "/v1/assignments/dev-1/reprovision", "{\"registrationId\":\"dev-2\"}",
                Map.of("Authorization", token("dev-1"))), 400, "registration-id-mismatch");
        ApiResponse ok = call("POST", "/v1/assignments/dev-1/reprovision", null, Map.of("Authorization",
                token("dev-1")));
        assertThat(ok.status()).isIn(200, 201);
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUp() {
        assertThat(ProvisioningApi.retryAfterSeconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(ProvisioningApi.retryAfterSeconds(Duration.ofMillis(1001))).isEqualTo(2);
        assertThat(ProvisioningApi.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
    }
}
