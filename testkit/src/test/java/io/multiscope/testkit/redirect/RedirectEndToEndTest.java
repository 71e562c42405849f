package io.multiscope.testkit.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import io.multiscope.core.AssignmentState;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.RedirectProvisioning;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.http.AdminAuthenticator;
import io.multiscope.core.http.FunctionKeys;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.EnrollmentSpec;
import io.multiscope.testkit.RegistrationView;
import io.multiscope.testkit.ServiceClientRouting;
import io.multiscope.testkit.TestSymmetricKeySecurityProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pattern 3 end to end with the real Azure device SDK over HTTPS: a factory DPS whose enrollment group calls the
 * allocation webhook (served by {@link ProvisioningHttpServer} with the emulator's test certificates) and two target
 * DPS instances, one per owner, whose groups use the factory's group key so a device's derived key works everywhere.
 * The device follows the redirect by hand here, as the device-client does on its own.
 */
class RedirectEndToEndTest {

    static final String FACTORY = "dps-factory";
    static final String ACME = "dps-acme";
    static final String GLOBEX = "dps-globex";
    static final String FACTORY_SCOPE = "0ne000FAC70";
    static final String STAGING_HUB = "staging.azure-devices.net";
    static final String ACME_HUB = "hub-acme.azure-devices.net";
    static final String GLOBEX_HUB = "hub-globex.azure-devices.net";
    /** Shaped like a base64 key pasted into the webhook URL unencoded, '+' and '/' included. */
    static final String FUNCTION_KEY = "factory+webhook/key-0123456789==";
    static final String ADMIN_TOKEN = "admin-token-for-the-redirect-tests";
    static final String GROUP_KEY = randomKey();
    static final ObjectMapper JSON = new ObjectMapper();

    static DpsEmulator dps;
    static ServiceClientRouting routing;
    static InMemoryInventoryStore store;
    static OwnershipRegistry registry;
    static RedirectProvisioning service;
    static ProvisioningHttpServer server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        dps = DpsEmulator.builder()
                .instance(FACTORY, i -> i.idScope(FACTORY_SCOPE).linkedHub(STAGING_HUB))
                .instance(ACME, i -> i.idScope("0ne000AC3E1").linkedHub(ACME_HUB))
                .instance(GLOBEX, i -> i.idScope("0ne0006B0E1").linkedHub(GLOBEX_HUB))
                .instantAssignment(true)
                .start();
        // The deprovisioning of old registrations goes through the real DPS service client.
        routing = ServiceClientRouting.install(dps);
        store = new InMemoryInventoryStore();
        registry = store.ownership();
        service = RedirectProvisioning.builder().store(store).snapshotInterval(Duration.ZERO)
                .instance(target(ACME, "acme"), credentials(ACME))
                .instance(target(GLOBEX, "globex"), credentials(GLOBEX))
                .build();
        ProvisioningApi api = ProvisioningApi.builder().redirect(service, FunctionKeys.of(FUNCTION_KEY))
                .admin(AdminAuthenticator.bearerToken(ADMIN_TOKEN)).build();
        server = ProvisioningHttpServer.https(api, dps.certificates().serverKeyManagers(List.of())).threads(4)
                .start();
        http = HttpClient.newBuilder().sslContext(dps.clientSslContext()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        server.close();
        routing.close();
        dps.close();
    }

    @BeforeEach
    void reset() {
        dps.reset();
        dps.instance(FACTORY).putEnrollment(factoryGroup(webhook(FUNCTION_KEY)));
        dps.instance(ACME).putEnrollment(EnrollmentSpec.group("devices").symmetricKey(GROUP_KEY).build());
        dps.instance(GLOBEX).putEnrollment(EnrollmentSpec.group("devices").symmetricKey(GROUP_KEY).build());
    }

    static DpsInstance target(String name, String owner) {
        return DpsInstance.builder(name).idScope(dps.instance(name).idScope()).globalEndpoint(dps.deviceEndpoint())
                .region("westeurope").tenantPool(owner).build();
    }

    static DpsCredentials credentials(String name) {
        return DpsCredentials.builder(name).enrollmentGroup("devices").groupKey(GROUP_KEY)
                .serviceConnectionString(dps.instance(name).serviceConnectionString()).build();
    }

    static EnrollmentSpec factoryGroup(URI webhook) {
        return EnrollmentSpec.group("factory").symmetricKey(GROUP_KEY).customAllocation(webhook).build();
    }

    static URI webhook(String key) {
        return URI.create(server.uri() + "/v1/dps/allocations?code=" + key);
    }

    static ProvisioningDeviceClientRegistrationResult register(String endpoint, String idScope, String id)
            throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(endpoint, idScope,
                ProvisioningDeviceClientTransportProtocol.HTTPS,
                TestSymmetricKeySecurityProvider.forGroupDevice(id, GROUP_KEY, dps.certificates()));
        try {
            return client.registerDeviceSync(60);
        } finally {
            client.close();
        }
    }

    /** What the device-client does: register at the factory, then at the DPS the redirect names. */
    static ProvisioningDeviceClientRegistrationResult registerFollowingTheRedirect(String id) throws Exception {
        ProvisioningDeviceClientRegistrationResult atFactory = register(dps.deviceEndpoint(), FACTORY_SCOPE, id);
        assertThat(atFactory.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(atFactory.getIothubUri()).isEqualTo(STAGING_HUB);
        JsonNode redirect = JSON.readTree(atFactory.getProvisioningPayload()).get("redirect");
        assertThat(redirect.get("version").asInt()).isEqualTo(1);
        return register(redirect.get("globalEndpoint").asText(), redirect.get("idScope").asText(), id);
    }

    static HttpResponse<String> admin(HttpRequest.Builder request) throws Exception {
        return http.send(request.header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @Test
    void aDeviceIsRedirectedToItsOwnerThenTransferredAndFollowsOnReprovisioning() throws Exception {
        registry.register(NewOwnership.of("sensor-1", "acme"));

        ProvisioningDeviceClientRegistrationResult first = registerFollowingTheRedirect("sensor-1");

        assertThat(first.getIothubUri()).isEqualTo(ACME_HUB);
        assertThat(first.getDeviceId()).isEqualTo("sensor-1");
        assertThat(dps.instance(ACME).registration("sensor-1")).get().extracting(RegistrationView::assignedHub)
                .isEqualTo(ACME_HUB);
        // The factory's registration holds the redirect, as DPS copied it from the webhook's answer.
        JsonNode factoryPayload = JSON.readTree(dps.instance(FACTORY).registration("sensor-1").orElseThrow()
                .payloadJson());
        assertThat(factoryPayload.at("/redirect/idScope").asText()).isEqualTo(dps.instance(ACME).idScope());
        assertThat(factoryPayload.at("/redirect/globalEndpoint").asText()).isEqualTo(dps.deviceEndpoint());
        assertThat(store.assignedCounts()).containsEntry(ACME, 1L).containsEntry(GLOBEX, 0L);

        // The vendor hands the device to globex through the admin API.
        HttpResponse<String> transfer = admin(HttpRequest.newBuilder(URI.create(server.uri() + "/v1/transfers"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"registrationIds\": [\"sensor-1\"], "
                        + "\"newOwner\": \"globex\", \"actor\": \"ops@vendor.example\"}")));
        assertThat(transfer.statusCode()).as(transfer.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(transfer.body()).get("results").get(0);
        assertThat(result.get("status").asText()).isEqualTo("TRANSFERRED");
        assertThat(result.get("toInstanceId").asText()).isEqualTo(GLOBEX);
        assertThat(result.at("/cleanup/status").asText()).isEqualTo("DELETED");
        assertThat(dps.instance(ACME).registration("sensor-1")).as("deprovisioned on the old owner's DPS").isEmpty();
        assertThat(store.assignedCounts()).containsEntry(ACME, 0L).containsEntry(GLOBEX, 1L);
        assertThat(store.findAssignment("sensor-1").orElseThrow().state())
                .isEqualTo(AssignmentState.REPROVISION_PENDING);

        // On its next reprovisioning the device starts at the factory again and ends on globex's DPS.
        ProvisioningDeviceClientRegistrationResult second = registerFollowingTheRedirect("sensor-1");

        assertThat(second.getIothubUri()).isEqualTo(GLOBEX_HUB);
        assertThat(dps.instance(GLOBEX).registration("sensor-1")).get().matches(RegistrationView::isAssigned);
        assertThat(dps.instance(ACME).registration("sensor-1")).isEmpty();
        assertThat(store.findAssignment("sensor-1").orElseThrow().state()).isEqualTo(AssignmentState.ASSIGNED);
        assertThat(store.assignedCounts()).containsEntry(ACME, 0L).containsEntry(GLOBEX, 1L);

        HttpResponse<String> ownership = admin(HttpRequest.newBuilder(URI.create(server.uri()
                + "/v1/devices/sensor-1/ownership")).GET());
        assertThat(ownership.statusCode()).as(ownership.body()).isEqualTo(200);
        JsonNode o = JSON.readTree(ownership.body());
        assertThat(o.get("owner").asText()).isEqualTo("globex");
        assertThat(o.at("/history/0/fromOwner").asText()).isEqualTo("acme");
        assertThat(o.at("/history/0/fromInstanceId").asText()).isEqualTo(ACME);
        assertThat(o.at("/history/0/actor").asText()).isEqualTo("ops@vendor.example");
    }

    @Test
    void aForgedWebhookCallIsRefusedAndTheRegistrationFails() throws Exception {
        registry.register(NewOwnership.of("sensor-2", "acme"));

        // Someone who knows the URL but not the key calls the webhook directly ...
        String body = "{\"deviceRuntimeContext\": {\"registrationId\": \"sensor-2\"}, \"linkedHubs\": [\""
                + STAGING_HUB + "\"]}";
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(webhook("not-the-key-0123456789"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().firstValue("Content-Type")).contains("application/problem+json");

        // ... or a factory enrollment is pointed at it with a wrong key: DPS fails the device's registration.
        dps.instance(FACTORY).putEnrollment(factoryGroup(webhook("not-the-key-0123456789")));
        assertThatThrownBy(() -> register(dps.deviceEndpoint(), FACTORY_SCOPE, "sensor-2"))
                .hasStackTraceContaining("401");
        assertThat(dps.instance(FACTORY).registration("sensor-2").orElseThrow().status()).isEqualTo("failed");

        assertThat(registry.find("sensor-2").orElseThrow().activeInstanceId()).isEmpty();
        assertThat(store.findAssignment("sensor-2")).isEmpty();
    }

    @Test
    void aDeviceTheRegistryDoesNotKnowIsRefused() throws Exception {
        assertThatThrownBy(() -> register(dps.deviceEndpoint(), FACTORY_SCOPE, "stranger-1"))
                .hasStackTraceContaining("404");
        RegistrationView state = dps.instance(FACTORY).registration("stranger-1").orElseThrow();
        assertThat(state.status()).isEqualTo("failed");
        assertThat(state.errorMessage()).contains("404");
        assertThat(registry.find("stranger-1")).isEmpty();
        assertThat(store.findAssignment("stranger-1")).isEmpty();
        assertThat(dps.instance(ACME).registration("stranger-1")).isEmpty();
        assertThat(dps.instance(GLOBEX).registration("stranger-1")).isEmpty();
    }
}
