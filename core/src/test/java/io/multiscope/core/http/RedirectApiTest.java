package io.multiscope.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.RedirectProvisioning;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.spi.InstanceState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The allocation webhook and the transfer routes through the framework-neutral API. */
class RedirectApiTest {

    static final String KEY = "function-key-0123456789abcdef";
    static final String NEXT_KEY = "next-function-key-9876543210+/=";
    static final String ADMIN = "admin-token-0123456789";
    static final String HUB_A = "stage-a.azure-devices.net";
    static final String HUB_B = "stage-b.azure-devices.net";

    final ObjectMapper json = new ObjectMapper();
    VirtualClock clock;
    InMemoryInventoryStore store;
    OwnershipRegistry registry;
    RedirectProvisioning service;
    ProvisioningApi api;

    @BeforeEach
    void setUp() {
        clock = VirtualClock.create();
        store = new InMemoryInventoryStore(clock);
        registry = store.ownership();
        service = builder().build();
        api = ProvisioningApi.builder().redirect(service, FunctionKeys.of(KEY, NEXT_KEY))
                .admin(AdminAuthenticator.bearerToken(ADMIN)).build();
    }

    RedirectProvisioning.Builder builder() {
        return RedirectProvisioning.builder().store(store).clock(clock).ticker(clock).sleeper(clock)
                .snapshotInterval(Duration.ZERO)
                .instance(target("vendor-1", "vendor"))
                .instance(target("acme-1", "acme"))
                .instance(target("globex-1", "globex"));
    }

    static DpsInstance target(String id, String owner) {
        return DpsInstance.builder(id).idScope("0ne-" + id).globalEndpoint(id + ".example.net:8443")
                .region("westeurope").tenantPool(owner).build();
    }

    /** DPS's AllocationRequest, shaped as the docs show it, with a field this code does not know. */
    static String allocationRequest(String registrationId, String... hubs) {
        StringBuilder linked = new StringBuilder();
        for (String h : hubs) {
            linked.append(linked.length() == 0 ? "" : ",").append('"').append(h).append('"');
        }
        return """
                {"enrollmentGroup": {"enrollmentGroupId": "factory", "attestation": {"type": "symmetricKey"},
                                     "capabilities": {"iotEdge": false}, "etag": "\\"1\\"",
                                     "provisioningStatus": "enabled", "reprovisionPolicy":
                                     {"updateHubAssignment": true, "migrateDeviceData": true}},
                 "deviceRuntimeContext": {"registrationId": "%s", "symmetricKey": {},
                                          "payload": {"modelId": "dtmi:com:example:Sensor;1",
                                                      "redirect": {"version": 1, "idScope": "evil"}}},
                 "linkedHubs": [%s],
                 "somethingNew": {"added": "later"}}""".formatted(registrationId, linked);
    }

    ApiResponse webhook(String query, Map<String, String> headers, String body) {
        Map<String, String> h = new HashMap<>(headers);
        h.putIfAbsent("Content-Type", "application/json; charset=utf-8");
        return api.handle(ApiRequest.of("POST", "/v1/dps/allocations" + query, h,
                body.getBytes(StandardCharsets.UTF_8)));
    }

    ApiResponse webhook(String body) {
        return webhook("?code=" + KEY, Map.of(), body);
    }

    ApiResponse admin(String method, String path, String body) {
        return api.handle(ApiRequest.of(method, path, Map.of("Authorization", "Bearer " + ADMIN,
                "Content-Type", "application/json"), body == null ? new byte[0]
                : body.getBytes(StandardCharsets.UTF_8)));
    }

    JsonNode body(ApiResponse r) throws Exception {
        return json.readTree(r.body());
    }

    void assertProblem(ApiResponse r, int status, String type) throws Exception {
        assertThat(r.status()).as(r.bodyText()).isEqualTo(status);
        assertThat(r.headers()).containsEntry("Content-Type", "application/problem+json");
        JsonNode b = body(r);
        assertThat(b.get("type").asText()).isEqualTo("https://multiscope.io/problems/" + type);
        assertThat(b.get("detail").asText()).isNotBlank();
    }

    void assertNothingRecorded() {
        assertThat(registry.ownedBy("vendor", java.util.Optional.empty(), 10).items()).isEmpty();
        assertThat(registry.ownedBy("acme", java.util.Optional.empty(), 10).items())
                .allSatisfy(o -> assertThat(o.activeInstanceId()).isEmpty());
        assertThat(store.assignedCounts().values()).allMatch(n -> n == 0);
    }

    // --- the webhook ------------------------------------------------------------------------------------------

    @Test
    void answersWithAStagingHubAndTheRedirectToTheOwnersDps() throws Exception {
        registry.register(NewOwnership.of("sensor-1", "acme"));

        ApiResponse r = webhook(allocationRequest("Sensor-1", HUB_A, HUB_B));

        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        assertThat(r.headers()).containsEntry("Content-Type", "application/json");
        JsonNode b = body(r);
        assertThat(b.get("iotHubHostName").asText()).isIn(HUB_A, HUB_B)
                .isEqualTo(service.stagingHub("sensor-1", List.of(HUB_A, HUB_B), java.util.Optional.empty()));
        // Exactly the redirect: the device's own payload (with its own "redirect") is not echoed.
        assertThat(b.get("payload")).isEqualTo(json.readTree("""
                {"redirect": {"version": 1, "globalEndpoint": "acme-1.example.net:8443", "idScope": "0ne-acme-1"}}
                """));
        assertThat(b.has("initialTwin")).isFalse();
        assertThat(store.findAssignment("sensor-1").orElseThrow().instanceId()).isEqualTo("acme-1");
    }

    @Test
    void keepsAReprovisioningDeviceOnItsCurrentHubUnderEitherSpelling() throws Exception {
        registry.register(NewOwnership.of("sensor-1", "acme"));
        String other = service.stagingHub("sensor-1", List.of(HUB_A, HUB_B), java.util.Optional.empty())
                .equals(HUB_A) ? HUB_B : HUB_A;
        for (String field : List.of("currentIotHubHostName", "currentIoTHubHostname")) {
            String request = allocationRequest("sensor-1", HUB_A, HUB_B).replace("\"symmetricKey\": {}",
                    "\"symmetricKey\": {}, \"" + field + "\": \"" + other + "\", \"currentDeviceId\": \"sensor-1\"");
            ApiResponse r = webhook(request);
            assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
            assertThat(body(r).get("iotHubHostName").asText()).as(field).isEqualTo(other);
        }
    }

    @Test
    void acceptsTheKeyAsCodeParameterOrHeaderAndEitherKeyDuringRotation() {
        registry.register(NewOwnership.of("sensor-1", "acme"));
        String request = allocationRequest("sensor-1", HUB_A);
        assertThat(webhook("?code=" + KEY, Map.of(), request).status()).isEqualTo(200);
        assertThat(webhook("?other=1&code=" + NEXT_KEY, Map.of(), request).status()).isEqualTo(200);
        assertThat(webhook("?code=" + NEXT_KEY.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"),
                Map.of(), request).status()).isEqualTo(200);
        assertThat(webhook("", Map.of("x-functions-key", KEY), request).status()).isEqualTo(200);
        assertThat(webhook("", Map.of("X-Functions-Key", NEXT_KEY), request).status()).isEqualTo(200);
    }

    @Test
    void aMissingOrWrongKeyIsRefusedAndNothingIsRecorded() throws Exception {
        RedirectProvisioning lenient = builder().unknownDevicesOwnedBy("vendor").build();
        api = ProvisioningApi.builder().redirect(lenient, FunctionKeys.of(KEY)).build();
        String request = allocationRequest("stranger-1", HUB_A);
        List<ApiResponse> refused = new ArrayList<>();
        refused.add(webhook("", Map.of(), request));
        refused.add(webhook("?code=", Map.of(), request));
        refused.add(webhook("?code=" + KEY + "x", Map.of(), request));
        refused.add(webhook("?code=" + KEY.substring(1), Map.of(), request));
        refused.add(webhook("?key=" + KEY, Map.of(), request));
        refused.add(webhook("?code=" + KEY, Map.of("x-functions-key", "wrong-key-0123456789"), request));
        refused.add(webhook("?code=" + NEXT_KEY, Map.of(), request));
        refused.add(webhook("?code=%zz", Map.of(), request));
        for (ApiResponse r : refused) {
            assertProblem(r, 401, "invalid-function-key");
            assertThat(r.bodyText()).doesNotContain(KEY);
        }
        assertThat(registry.find("stranger-1")).isEmpty();
        assertNothingRecorded();
    }

    @Test
    void malformedRequestsAreRefusedAndNothingIsRecorded() throws Exception {
        service = builder().unknownDevicesOwnedBy("vendor").build();
        api = ProvisioningApi.builder().redirect(service, FunctionKeys.of(KEY)).build();
        Map<String, String> bad = Map.of(
                "not json", "{\"deviceRuntimeContext\": ",
                "an array", "[]",
                "no context", "{\"linkedHubs\": [\"" + HUB_A + "\"]}",
                "context not an object", "{\"deviceRuntimeContext\": \"x\", \"linkedHubs\": [\"" + HUB_A + "\"]}",
                "id not text", "{\"deviceRuntimeContext\": {\"registrationId\": 7}, \"linkedHubs\": [\"h\"]}",
                "no hubs", "{\"deviceRuntimeContext\": {\"registrationId\": \"dev-1\"}}",
                "hubs not a list", "{\"deviceRuntimeContext\": {\"registrationId\": \"dev-1\"}, \"linkedHubs\": \"h\"}",
                "hub not text", "{\"deviceRuntimeContext\": {\"registrationId\": \"dev-1\"}, \"linkedHubs\": [1]}",
                "empty body", "");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            ApiResponse r = webhook(e.getValue());
            assertThat(r.status()).as(e.getKey() + ": " + r.bodyText()).isEqualTo(400);
            assertProblem(r, 400, "malformed-allocation-request");
        }
        assertProblem(webhook(allocationRequest("dev-1")), 400, "no-linked-hub");
        assertProblem(webhook(allocationRequest("bad id!", HUB_A)), 400, "invalid-registration-id");
        assertNothingRecorded();
        assertThat(registry.find("dev-1")).isEmpty();
    }

    @Test
    void otherMethodsAndOversizedBodiesAreRefused() throws Exception {
        ApiResponse get = api.handle(ApiRequest.of("GET", "/v1/dps/allocations?code=" + KEY, Map.of(),
                new byte[0]));
        assertProblem(get, 405, "method-not-allowed");
        assertThat(get.headers()).containsEntry("Allow", "POST");
        ApiRequest huge = new ApiRequest("POST", "/v1/dps/allocations", Map.of(), new byte[0], true, List.of(),
                "code=" + KEY);
        assertProblem(api.handle(huge), 413, "payload-too-large");
        // The adapter reads up to the webhook's limit, larger than the JSON routes' own.
        assertThat(api.maxBodyBytes()).isEqualTo(AllocationWebhook.DEFAULT_MAX_BODY_BYTES);
    }

    @Test
    void refusesDevicesItCannotPlaceSoDpsFailsTheirRegistration() throws Exception {
        ApiResponse unknown = webhook(allocationRequest("stranger-1", HUB_A));
        assertProblem(unknown, 404, "unknown-device");
        assertThat(body(unknown).get("registrationId").asText()).isEqualTo("stranger-1");

        registry.register(NewOwnership.of("sensor-1", "acme"));
        store.setInstanceState("acme-1", InstanceState.DISABLED);
        assertProblem(webhook(allocationRequest("sensor-1", HUB_A)), 503, "no-eligible-instance");
        assertNothingRecorded();
    }

    @Test
    void theWebhookWorksOnItsOwnForAnyFramework() throws Exception {
        registry.register(NewOwnership.of("sensor-1", "globex"));
        AllocationWebhook hook = AllocationWebhook.of(service, FunctionKeys.of(KEY)).withMaxBodyBytes(4096);
        assertThat(hook.maxBodyBytes()).isEqualTo(4096);
        assertThat(hook.toString()).doesNotContain(KEY);

        ApiResponse r = hook.handle(ApiRequest.of("POST", "/api/allocate?code=" + KEY, Map.of(),
                allocationRequest("sensor-1", HUB_A).getBytes(StandardCharsets.UTF_8)));

        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        assertThat(body(r).at("/payload/redirect/idScope").asText()).isEqualTo("0ne-globex-1");
        assertThatThrownBy(() -> hook.withMaxBodyBytes(10)).isInstanceOf(IllegalArgumentException.class);
    }

    // --- admin routes -----------------------------------------------------------------------------------------

    @Test
    void transfersDevicesAndShowsTheirOwnershipToAdminsOnly() throws Exception {
        registry.register(NewOwnership.of("sensor-1", "acme"));
        registry.register(NewOwnership.of("sensor-2", "globex"));
        service.allocate("sensor-1");
        String body = "{\"registrationIds\": [\"sensor-1\", \"sensor-2\", \"ghost-1\"], \"newOwner\": \"globex\","
                + " \"actor\": \"alice@example.com\"}";

        ApiResponse anonymous = api.handle(ApiRequest.of("POST", "/v1/transfers", Map.of("Content-Type",
                "application/json"), body.getBytes(StandardCharsets.UTF_8)));
        assertProblem(anonymous, 403, "admin-required");
        assertThat(service.history("sensor-1")).isEmpty();

        ApiResponse r = admin("POST", "/v1/transfers", body);

        assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        JsonNode report = body(r);
        assertThat(report.get("requested").asInt()).isEqualTo(3);
        assertThat(report.get("transferred").asInt()).isEqualTo(1);
        assertThat(report.get("alreadyOwned").asInt()).isEqualTo(1);
        assertThat(report.get("unknownDevice").asInt()).isEqualTo(1);
        assertThat(report.get("failed").asInt()).isZero();
        JsonNode first = report.get("results").get(0);
        assertThat(first.get("status").asText()).isEqualTo("TRANSFERRED");
        assertThat(first.get("previousOwner").asText()).isEqualTo("acme");
        assertThat(first.get("fromInstanceId").asText()).isEqualTo("acme-1");
        assertThat(first.get("toInstanceId").asText()).isEqualTo("globex-1");
        assertThat(first.at("/cleanup/status").asText()).isEqualTo("NOT_CONFIGURED");
        assertThat(report.get("results").get(2).get("status").asText()).isEqualTo("UNKNOWN_DEVICE");

        ApiResponse ownership = admin("GET", "/v1/devices/Sensor-1/ownership", null);
        assertThat(ownership.status()).as(ownership.bodyText()).isEqualTo(200);
        JsonNode o = body(ownership);
        assertThat(o.get("owner").asText()).isEqualTo("globex");
        assertThat(o.get("activeInstanceId").asText()).isEqualTo("globex-1");
        assertThat(o.at("/assignment/state").asText()).isEqualTo("REPROVISION_PENDING");
        assertThat(o.get("history")).hasSize(1);
        assertThat(o.at("/history/0/fromOwner").asText()).isEqualTo("acme");
        assertThat(o.at("/history/0/actor").asText()).isEqualTo("alice@example.com");

        assertProblem(api.handle(ApiRequest.of("GET", "/v1/devices/sensor-1/ownership", Map.of(), new byte[0])),
                403, "admin-required");
        assertProblem(admin("GET", "/v1/devices/ghost-1/ownership", null), 404, "unknown-device");
        assertProblem(admin("DELETE", "/v1/devices/sensor-1/ownership", null), 405, "method-not-allowed");
        assertProblem(admin("GET", "/v1/transfers", null), 405, "method-not-allowed");
    }

    @Test
    void badTransferRequestsAreRefusedAndChangeNothing() throws Exception {
        registry.register(NewOwnership.of("sensor-1", "acme"));
        service.allocate("sensor-1");
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= RedirectRoutes.MAX_TRANSFERS_PER_REQUEST; i++) {
            many.append(i == 0 ? "" : ",").append("\"dev-").append(i).append('"');
        }
        many.append(']');
        assertProblem(admin("POST", "/v1/transfers", "{\"newOwner\": \"globex\"}"), 400, "missing-field");
        assertProblem(admin("POST", "/v1/transfers", "{\"registrationIds\": [\"sensor-1\"]}"), 400,
                "missing-field");
        assertProblem(admin("POST", "/v1/transfers", "{\"registrationIds\": [\"sensor-1\"], \"newOwner\": "
                + "\"globex\", \"when\": \"now\"}"), 400, "unknown-field");
        assertProblem(admin("POST", "/v1/transfers", "{\"registrationIds\": \"sensor-1\", \"newOwner\": "
                + "\"globex\"}"), 400, "malformed-json");
        assertProblem(admin("POST", "/v1/transfers", "{\"registrationIds\": [null], \"newOwner\": \"globex\"}"),
                400, "invalid-registration-id");
        assertProblem(admin("POST", "/v1/transfers", "{\"registrationIds\": [], \"newOwner\": \"globex\"}"), 400,
                "no-devices");
        assertProblem(admin("POST", "/v1/transfers", "{\"registrationIds\": [\"sensor-1\", \"bad id\"], "
                + "\"newOwner\": \"globex\"}"), 400, "invalid-registration-id");
        assertProblem(admin("POST", "/v1/transfers", "{\"registrationIds\": [\"sensor-1\"], \"newOwner\": "
                + "\"initech\"}"), 400, "unknown-owner");
        assertProblem(admin("POST", "/v1/transfers", "{\"registrationIds\": " + many + ", \"newOwner\": "
                + "\"globex\"}"), 400, "too-many-devices");
        assertThat(registry.find("sensor-1").orElseThrow().owner()).isEqualTo("acme");
        assertThat(service.history("sensor-1")).isEmpty();
    }

    // --- wiring -----------------------------------------------------------------------------------------------

    @Test
    void anApiServesOnlyThePatternsItWasGiven() throws Exception {
        assertThatThrownBy(() -> ProvisioningApi.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("redirect(");
        assertProblem(admin("GET", "/v1/instances", null), 404, "not-found");
        assertProblem(admin("POST", "/v1/assignments", "{\"registrationId\": \"dev-1\"}"), 404,
                "pattern-not-enabled");
        assertProblem(admin("POST", "/v1/registrations", "{\"registrationId\": \"dev-1\"}"), 404,
                "pattern-not-enabled");
        assertProblem(admin("POST", "/v1/dps/elsewhere", "{}"), 404, "not-found");
    }

    @Test
    void functionKeysAreValidatedAndNeverPrinted() {
        FunctionKeys keys = FunctionKeys.of(KEY, NEXT_KEY);
        assertThat(keys.size()).isEqualTo(2);
        assertThat(keys.toString()).doesNotContain(KEY).doesNotContain(NEXT_KEY).contains("2 keys");
        assertThat(keys.matches(KEY)).isTrue();
        assertThat(keys.matches(NEXT_KEY)).isTrue();
        assertThat(keys.matches(KEY.toUpperCase())).isFalse();
        assertThat(keys.matches(null)).isFalse();
        assertThatThrownBy(() -> FunctionKeys.of()).hasMessageContaining("at least one");
        assertThatThrownBy(() -> FunctionKeys.of("short")).hasMessageContaining("16");
        assertThatThrownBy(() -> FunctionKeys.of("has a space in the key")).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> FunctionKeys.of(KEY, KEY)).hasMessageContaining("twice")
                .hasMessageNotContaining(KEY);
        assertThatThrownBy(() -> FunctionKeys.of((String) null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void requestsCarryTheirQueryString() {
        ApiRequest r = ApiRequest.of("POST", "/v1/dps/allocations?a=1&code=k%2By+z&flag&empty=", Map.of(),
                new byte[0]);
        assertThat(r.path()).isEqualTo("/v1/dps/allocations");
        assertThat(r.query()).isEqualTo("a=1&code=k%2By+z&flag&empty=");
        assertThat(r.queryParameter("code")).contains("k+y+z");
        assertThat(r.queryParameter("a")).contains("1");
        assertThat(r.queryParameter("flag")).contains("");
        assertThat(r.queryParameter("empty")).contains("");
        assertThat(r.queryParameter("missing")).isEmpty();
        assertThat(ApiRequest.of("GET", "/x?bad=%zz", Map.of(), new byte[0]).queryParameter("bad")).isEmpty();
        ApiRequest plain = new ApiRequest("GET", "/x", Map.of(), new byte[0], false, List.of());
        assertThat(plain.query()).isEmpty();
        assertThat(plain.queryParameter("code")).isEmpty();
        assertThat(new ApiRequest("GET", "/x", Map.of(), new byte[0], false, List.of(), "?code=1")
                .queryParameter("code")).contains("1");
    }
}
