package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.multiscope.core.AssignmentState;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.RedirectProvisioning;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.http.AdminAuthenticator;
import io.multiscope.core.http.FunctionKeys;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.device.ProvisioningResult.Reason;
import io.multiscope.device.ProvisioningResult.Source;
import io.multiscope.testkit.DeviceCertificate;
import io.multiscope.testkit.EnrollmentSpec;
import io.multiscope.testkit.RegistrationView;
import io.multiscope.testkit.ServiceClientRouting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pattern 3 with the real parts on both sides: the emulated factory DPS calls Multiscope's allocation webhook
 * ({@link RedirectProvisioning} behind {@link ProvisioningApi}, over HTTPS with the emulator's test certificates),
 * which redirects each device to its owner's DPS instance; the device is a {@link DeviceProvisioner} that registers
 * through the real Azure SDK at every hop. Transfers go through the admin API over HTTPS; the registration a device
 * leaves is deleted through the real DPS service client. Every instance's symmetric-key group has the same group key,
 * so the key derived at the factory works everywhere. One virtual clock for the emulator, the service and the device:
 * the device's stagger and backoff move it instead of sleeping.
 */
class RedirectEndToEndTest {

    static final String FACTORY = "dps-factory";
    static final String ACME = "dps-acme";
    static final String GLOBEX = "dps-globex";
    static final String DISTRIBUTOR = "dps-distributor";
    static final String STAGING_HUB = FACTORY + "-hub.azure-devices.net";
    static final String ACME_HUB = ACME + "-hub.azure-devices.net";
    static final String GLOBEX_HUB = GLOBEX + "-hub.azure-devices.net";
    static final String FUNCTION_KEY = "vendor-webhook-key-0123456789abcdef";
    static final String DISTRIBUTOR_KEY = "distributor-webhook-key-0123456789";
    static final String ADMIN_TOKEN = "admin-token-for-the-redirect-end-to-end-tests";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    VirtualClock clock;
    TestEnvironment env;
    ServiceClientRouting routing;
    InMemoryInventoryStore store;
    OwnershipRegistry registry;
    ProvisioningHttpServer server;
    HttpClient http;

    @BeforeEach
    void start() throws Exception {
        clock = VirtualClock.startingAt(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        env = TestEnvironment.start(clock, null, UnaryOperator.identity(), FACTORY, ACME, GLOBEX, DISTRIBUTOR);
        // The old owner's registration is deleted with the real DPS service client, which needs this routing.
        routing = ServiceClientRouting.install(env.dps);
        store = new InMemoryInventoryStore(clock);
        registry = store.ownership();
        RedirectProvisioning vendor = RedirectProvisioning.builder().store(store).clock(clock).ticker(clock)
                .sleeper(clock).snapshotInterval(Duration.ZERO)
                .instance(target(ACME, "acme"), credentials(ACME))
                .instance(target(GLOBEX, "globex"), credentials(GLOBEX))
                .instance(target(DISTRIBUTOR, "distributor"), credentials(DISTRIBUTOR))
                .build();
        server = webhookServer(vendor, FUNCTION_KEY);
        http = HttpClient.newBuilder().sslContext(env.dps.clientSslContext()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        callsTheWebhook(FACTORY, webhook(server, FUNCTION_KEY));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (routing != null) {
            routing.close();
        }
        if (env != null) {
            env.close();
        }
    }

    private ProvisioningHttpServer webhookServer(RedirectProvisioning service, String key) throws Exception {
        ProvisioningApi api = ProvisioningApi.builder().redirect(service, FunctionKeys.of(key))
                .admin(AdminAuthenticator.bearerToken(ADMIN_TOKEN)).build();
        return ProvisioningHttpServer.https(api, TestEnvironment.PKI.serverKeyManagers(List.of())).threads(2).start();
    }

    private DpsInstance target(String name, String owner) {
        return DpsInstance.builder(name).idScope(scope(name)).globalEndpoint(env.dps.deviceEndpoint())
                .region("westeurope").tenantPool(owner).build();
    }

    private DpsCredentials credentials(String name) {
        return DpsCredentials.builder(name).enrollmentGroup("fleet").groupKey(TestEnvironment.GROUP_KEY)
                .serviceConnectionString(env.instance(name).serviceConnectionString()).build();
    }

    private static URI webhook(ProvisioningHttpServer server, String key) {
        return URI.create(server.uri() + "/v1/dps/allocations?code=" + key);
    }

    /** Replaces the instance's symmetric-key group with one (same group key) that allocates through {@code url}. */
    private void callsTheWebhook(String instance, URI url) {
        env.instance(instance).deleteEnrollmentGroup("fleet");
        env.instance(instance).putEnrollment(EnrollmentSpec.group("fleet").symmetricKey(TestEnvironment.GROUP_KEY)
                .customAllocation(url).build());
    }

    private String scope(String instance) {
        return env.instance(instance).idScope();
    }

    /** How the device names a DPS instance in {@link ProvisioningResult#redirectedFrom()}. */
    private String hop(String instance) {
        return env.dps.deviceEndpoint() + "/" + scope(instance);
    }

    private Path stateFile(String registrationId) {
        return dir.resolve(registrationId + ".json");
    }

    /** Firmware as it leaves the factory: the factory DPS, a key derived from the group key, a state file. */
    private DeviceProvisioner.Builder firmware(String registrationId, RecordingListener events) {
        return env.base(events).sleeper(clock::sleep)
                .symmetricKey(registrationId, SasToken.deriveDeviceKey(TestEnvironment.GROUP_KEY, registrationId))
                .dps(env.dps.deviceEndpoint(), scope(FACTORY))
                .stateStore(FileStateStore.at(stateFile(registrationId)));
    }

    private DeviceProvisioner device(String registrationId, RecordingListener events) {
        return firmware(registrationId, events).build();
    }

    private HttpResponse<String> admin(String path, HttpRequest.Builder request) throws Exception {
        return http.send(request.uri(URI.create(server.uri() + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDeviceFollowsTheFactoryToItsOwnerThenFollowsATransferToTheNextOwner() throws Exception {
        registry.register(NewOwnership.of("sensor-1", "acme"));
        RecordingListener events = new RecordingListener();
        // The firmware spells its id with a capital; DPS ids are case-insensitive, the vendor's records lower-case.
        DeviceProvisioner device = device("Sensor-1", events);

        ProvisioningResult first = device.ensureProvisioned();

        assertThat(first.isProvisioned()).as(first.toString()).isTrue();
        assertThat(first.source()).contains(Source.REGISTERED);
        assertThat(first.assignedHub()).isEqualTo(ACME_HUB);
        assertThat(first.deviceId()).isEqualToIgnoringCase("sensor-1");
        assertThat(first.globalEndpoint()).isEqualTo(env.dps.deviceEndpoint());
        assertThat(first.idScope()).isEqualTo(scope(ACME));
        assertThat(first.redirectedFrom()).containsExactly(hop(FACTORY));
        assertThat(first.payload()).as("the owner's DPS sends no redirect").isEmpty();
        assertThat(events.of(Type.REDIRECTED)).singleElement().satisfies(e -> assertThat(e.detail())
                .contains(hop(FACTORY)).contains(hop(ACME)).contains(STAGING_HUB));
        // The factory parked the device on its staging hub with the webhook's redirect; the owner's DPS holds it.
        RegistrationView atFactory = env.instance(FACTORY).registration("sensor-1").orElseThrow();
        assertThat(atFactory.assignedHub()).isEqualTo(STAGING_HUB);
        JsonNode redirect = JSON.readTree(atFactory.payloadJson()).get("redirect");
        assertThat(redirect.get("version").isInt()).isTrue();
        assertThat(redirect.get("idScope").asText()).isEqualTo(scope(ACME));
        assertThat(env.instance(ACME).registration("sensor-1")).hasValueSatisfying(r -> {
            assertThat(r.isAssigned()).isTrue();
            assertThat(r.assignedHub()).isEqualTo(ACME_HUB);
            assertThat(r.enrollmentGroupId()).isEqualTo("fleet");
        });
        assertThat(env.deviceRequests(GLOBEX)).isZero();
        assertThat(store.assignedCounts()).containsEntry(ACME, 1L).containsEntry(GLOBEX, 0L);
        assertThat(registry.find("sensor-1").orElseThrow().activeInstanceId()).contains(ACME);
        assertThat(store.findAssignment("sensor-1").orElseThrow().state()).isEqualTo(AssignmentState.ASSIGNED);
        assertThat(Files.readString(stateFile("Sensor-1"))).contains(scope(ACME))
                .contains("\"redirectedFrom\":[\"" + hop(FACTORY) + "\"]");

        // A reboot: the stored result, no network at all (the webhook is only reached through DPS).
        long requests = env.dpsRequests();
        ProvisioningResult reboot = device("Sensor-1", new RecordingListener()).ensureProvisioned();
        assertThat(reboot).isEqualTo(first);
        assertThat(reboot.source()).contains(Source.STORED);
        assertThat(reboot.redirectedFrom()).containsExactly(hop(FACTORY));
        assertThat(env.dpsRequests()).isEqualTo(requests);

        // The vendor hands the device to globex through the admin API.
        HttpResponse<String> transfer = admin("/v1/transfers", HttpRequest.newBuilder().POST(
                HttpRequest.BodyPublishers.ofString("{\"registrationIds\": [\"Sensor-1\"], \"newOwner\": \"globex\", "
                        + "\"actor\": \"ops@vendor.example\"}")));

        assertThat(transfer.statusCode()).as(transfer.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(transfer.body()).get("results").get(0);
        assertThat(result.get("status").asText()).isEqualTo("TRANSFERRED");
        assertThat(result.get("fromInstanceId").asText()).isEqualTo(ACME);
        assertThat(result.get("toInstanceId").asText()).isEqualTo(GLOBEX);
        assertThat(result.at("/cleanup/status").asText()).isEqualTo("DELETED");
        assertThat(env.instance(ACME).registration("sensor-1")).as("deprovisioned on the old owner's DPS").isEmpty();
        assertThat(store.assignedCounts()).containsEntry(ACME, 0L).containsEntry(GLOBEX, 1L);
        assertThat(store.findAssignment("sensor-1").orElseThrow().state())
                .isEqualTo(AssignmentState.REPROVISION_PENDING);
        // Until it reprovisions, the device keeps its stored result: it learns of the transfer then, not before.
        assertThat(device.ensureProvisioned()).isEqualTo(first);

        ProvisioningResult moved = device.reprovision("transfer of ownership");

        assertThat(moved.isProvisioned()).as(moved.toString()).isTrue();
        assertThat(moved.source()).contains(Source.REGISTERED);
        assertThat(moved.idScope()).isEqualTo(scope(GLOBEX));
        assertThat(moved.assignedHub()).isEqualTo(GLOBEX_HUB);
        assertThat(moved.redirectedFrom()).containsExactly(hop(FACTORY));
        assertThat(env.instance(FACTORY).counters().registrations()).isEqualTo(2);
        assertThat(env.instance(GLOBEX).registration("sensor-1")).hasValueSatisfying(r -> assertThat(r.isAssigned())
                .isTrue());
        assertThat(env.instance(ACME).registration("sensor-1")).isEmpty();
        assertThat(store.findAssignment("sensor-1").orElseThrow().state()).isEqualTo(AssignmentState.ASSIGNED);
        assertThat(store.assignedCounts()).containsEntry(ACME, 0L).containsEntry(GLOBEX, 1L);

        HttpResponse<String> ownership = admin("/v1/devices/Sensor-1/ownership", HttpRequest.newBuilder().GET());
        assertThat(ownership.statusCode()).as(ownership.body()).isEqualTo(200);
        JsonNode o = JSON.readTree(ownership.body());
        assertThat(o.get("owner").asText()).isEqualTo("globex");
        assertThat(o.get("activeInstanceId").asText()).isEqualTo(GLOBEX);
        assertThat(o.at("/assignment/state").asText()).isEqualTo("ASSIGNED");
        assertThat(o.get("history")).hasSize(1);
        JsonNode entry = o.get("history").get(0);
        assertThat(entry.get("fromOwner").asText()).isEqualTo("acme");
        assertThat(entry.get("toOwner").asText()).isEqualTo("globex");
        assertThat(entry.get("fromInstanceId").asText()).isEqualTo(ACME);
        assertThat(entry.get("toInstanceId").asText()).isEqualTo(GLOBEX);
        assertThat(entry.get("actor").asText()).isEqualTo("ops@vendor.example");
        assertThat(Instant.parse(entry.get("at").asText())).isBetween(Instant.EPOCH, clock.instant());

        // The new result is what survives the next reboot.
        requests = env.dpsRequests();
        assertThat(device("Sensor-1", new RecordingListener()).ensureProvisioned()).isEqualTo(moved);
        assertThat(env.dpsRequests()).isEqualTo(requests);
    }

    @Test
    void aDeviceResetByItsNewOwnerAfterATransferEndsOnTheNewOwnersDps() throws Exception {
        registry.register(NewOwnership.of("sensor-3", "acme"));
        assertThat(device("sensor-3", new RecordingListener()).ensureProvisioned().idScope()).isEqualTo(scope(ACME));
        HttpResponse<String> transfer = admin("/v1/transfers", HttpRequest.newBuilder().POST(
                HttpRequest.BodyPublishers.ofString("{\"registrationIds\": [\"sensor-3\"], "
                        + "\"newOwner\": \"globex\"}")));
        assertThat(transfer.statusCode()).as(transfer.body()).isEqualTo(200);
        // The new owner resets the device to factory settings: its state is gone, it boots as if new.
        Files.delete(stateFile("sensor-3"));
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = device("sensor-3", events).ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.idScope()).as(events.all().toString()).isEqualTo(scope(GLOBEX));
        assertThat(result.assignedHub()).isEqualTo(GLOBEX_HUB);
        assertThat(result.redirectedFrom()).containsExactly(hop(FACTORY));
        assertThat(env.instance(ACME).registration("sensor-3")).as("not back on the old owner's DPS").isEmpty();
        assertThat(store.findAssignment("sensor-3").orElseThrow().state()).isEqualTo(AssignmentState.ASSIGNED);
        assertThat(store.assignedCounts()).containsEntry(ACME, 0L).containsEntry(GLOBEX, 1L);
    }

    @Test
    void anX509DeviceIsRedirectedByItsCertificatesCommonName() throws Exception {
        registry.register(NewOwnership.of("x509-meter-4", "globex"));
        env.instance(FACTORY).putEnrollment(EnrollmentSpec.group("x509-fleet")
                .x509(TestEnvironment.PKI.caCertificate()).customAllocation(webhook(server, FUNCTION_KEY)).build());
        DeviceCertificate cert = TestEnvironment.PKI.deviceViaIntermediate("x509-meter-4");
        DeviceProvisioner device = env.base(new RecordingListener()).sleeper(clock::sleep)
                .x509(cert.certificate(), cert.privateKey(), cert.intermediates())
                .dps(env.dps.deviceEndpoint(), scope(FACTORY))
                .stateStore(FileStateStore.at(stateFile("x509-meter-4"))).build();

        ProvisioningResult result = device.ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.idScope()).isEqualTo(scope(GLOBEX));
        assertThat(result.assignedHub()).isEqualTo(GLOBEX_HUB);
        assertThat(result.redirectedFrom()).containsExactly(hop(FACTORY));
        assertThat(env.instance(FACTORY).registration("x509-meter-4").orElseThrow().attestationType())
                .isEqualTo("x509");
        assertThat(env.instance(GLOBEX).registration("x509-meter-4")).hasValueSatisfying(r -> {
            assertThat(r.attestationType()).isEqualTo("x509");
            assertThat(r.enrollmentGroupId()).isEqualTo("x509-fleet");
        });
        assertThat(store.assignedCounts()).containsEntry(GLOBEX, 1L);
    }

    @Test
    void anOwnersDpsThatAlsoCallsTheWebhookIsALoopTheDeviceRefusesKeepingItsLastGoodState() throws Exception {
        registry.register(NewOwnership.of("looper-1", "acme"));
        DeviceProvisioner device = device("looper-1", new RecordingListener());
        ProvisioningResult good = device.ensureProvisioned();
        assertThat(good.idScope()).as(good.toString()).isEqualTo(scope(ACME));
        byte[] stored = Files.readAllBytes(stateFile("looper-1"));
        // Someone copies the factory's enrollment group, webhook and all, to acme's DPS: it now redirects to itself.
        callsTheWebhook(ACME, webhook(server, FUNCTION_KEY));
        long acmeRegistrations = env.instance(ACME).counters().registrations();
        RecordingListener events = new RecordingListener();

        ProvisioningResult refused = device("looper-1", events).reprovision("hub command");

        assertThat(refused.isProvisioned()).isFalse();
        assertThat(refused.reason()).as(refused.toString()).contains(Reason.REDIRECT_REFUSED);
        assertThat(refused.detail()).contains("loop").contains(hop(ACME));
        assertThat(events.of(Type.ATTEMPT_FAILED)).singleElement().satisfies(e -> assertThat(e.failureKind())
                .contains(FailureKind.REDIRECT_REFUSED));
        assertThat(events.types()).doesNotContain(Type.PROVISIONED);
        assertThat(env.instance(ACME).counters().registrations()).as("the loop is walked once, not again")
                .isEqualTo(acmeRegistrations + 1);
        // The last good state stays, byte for byte but for the breaker's failure count.
        assertThat(device.current()).isEqualTo(good);
        assertThat(new String(Files.readAllBytes(stateFile("looper-1")))).isEqualTo(new String(stored)
                .replace("\"consecutiveFailures\":0", "\"consecutiveFailures\":1"));
        long requests = env.dpsRequests();
        assertThat(device("looper-1", new RecordingListener()).ensureProvisioned()).isEqualTo(good);
        assertThat(env.dpsRequests()).isEqualTo(requests);
        // The service's view did not move either: one device on acme's instance.
        assertThat(store.assignedCounts()).containsEntry(ACME, 1L);
        assertThat(registry.find("looper-1").orElseThrow().activeInstanceId()).contains(ACME);
    }

    @Test
    void aResaleChainIsFollowedHopByHopUpToTheDevicesLimit() throws Exception {
        // The vendor sold these devices to a distributor, whose own Multiscope sends them on to its customer.
        InMemoryInventoryStore distributorStore = new InMemoryInventoryStore(clock);
        RedirectProvisioning distributor = RedirectProvisioning.builder().store(distributorStore).clock(clock)
                .ticker(clock).sleeper(clock).snapshotInterval(Duration.ZERO)
                .instance(target(ACME, "acme"), credentials(ACME)).build();
        try (ProvisioningHttpServer distributorServer = webhookServer(distributor, DISTRIBUTOR_KEY)) {
            callsTheWebhook(DISTRIBUTOR, webhook(distributorServer, DISTRIBUTOR_KEY));
            for (String id : List.of("chain-1", "chain-2")) {
                registry.register(NewOwnership.of(id, "distributor"));
                distributorStore.ownership().register(NewOwnership.of(id, "acme"));
            }
            registry.register(NewOwnership.of("direct-1", "acme"));

            ProvisioningResult twoHops = device("chain-1", new RecordingListener()).ensureProvisioned();
            RecordingListener events = new RecordingListener();
            ProvisioningResult oneHopAllowed = firmware("chain-2", events).maxRedirects(1).build()
                    .ensureProvisioned();
            ProvisioningResult followingOff = firmware("direct-1", new RecordingListener()).maxRedirects(0).build()
                    .ensureProvisioned();

            assertThat(twoHops.isProvisioned()).as(twoHops.toString()).isTrue();
            assertThat(twoHops.idScope()).isEqualTo(scope(ACME));
            assertThat(twoHops.assignedHub()).isEqualTo(ACME_HUB);
            assertThat(twoHops.redirectedFrom()).containsExactly(hop(FACTORY), hop(DISTRIBUTOR));
            assertThat(registry.find("chain-1").flatMap(Ownership::activeInstanceId)).contains(DISTRIBUTOR);
            assertThat(distributorStore.ownership().find("chain-1").flatMap(Ownership::activeInstanceId))
                    .contains(ACME);

            assertThat(oneHopAllowed.reason()).as(oneHopAllowed.toString()).contains(Reason.REDIRECT_REFUSED);
            assertThat(oneHopAllowed.detail()).contains("hop 2").contains("at most 1").contains(hop(ACME));
            assertThat(events.of(Type.REDIRECTED)).hasSize(1);
            assertThat(env.instance(DISTRIBUTOR).registration("chain-2")).as("the first hop is taken").isPresent();
            assertThat(env.instance(ACME).registration("chain-2")).as("the second is not").isEmpty();
            assertThat(firmware("chain-2", new RecordingListener()).maxRedirects(1).build().current())
                    .isEqualTo(ProvisioningResult.UNPROVISIONED);

            assertThat(followingOff.reason()).as(followingOff.toString()).contains(Reason.REDIRECT_REFUSED);
            assertThat(followingOff.detail()).contains("maxRedirects 0");
            assertThat(env.instance(FACTORY).registration("direct-1")).isPresent();
            assertThat(env.instance(ACME).registration("direct-1")).isEmpty();
        }
    }

    @Test
    void aFactoryEnrollmentWithAWrongFunctionKeyProvisionsNothingAndRecordsNothing() throws Exception {
        registry.register(NewOwnership.of("sensor-2", "acme"));
        // Someone who knows the URL but not the key calls the webhook directly ...
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(webhook(server, "not-the-function-key-01"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"deviceRuntimeContext\": {\"registrationId\": \"sensor-2\"}, \"linkedHubs\": [\""
                                + STAGING_HUB + "\"]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.headers().firstValue("Content-Type")).contains("application/problem+json");
        // ... or a factory enrollment carries a wrong key: DPS fails the device's registration.
        callsTheWebhook(FACTORY, webhook(server, "not-the-function-key-01"));
        Ownership before = registry.find("sensor-2").orElseThrow();
        RecordingListener events = new RecordingListener();
        DeviceProvisioner device = device("sensor-2", events);

        ProvisioningResult result = device.ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isFalse();
        assertThat(result.reason()).contains(Reason.PERMANENT_FAILURE);
        assertThat(result.detail()).contains("401");
        assertThat(events.types()).contains(Type.GAVE_UP).doesNotContain(Type.PROVISIONED, Type.REDIRECTED);
        RegistrationView atFactory = env.instance(FACTORY).registration("sensor-2").orElseThrow();
        assertThat(atFactory.status()).isEqualTo("failed");
        assertThat(atFactory.errorMessage()).contains("401");
        assertThat(device.current()).isEqualTo(ProvisioningResult.UNPROVISIONED);
        assertThat(env.deviceRequests(ACME) + env.deviceRequests(GLOBEX) + env.deviceRequests(DISTRIBUTOR)).isZero();
        // Nothing reached the ownership registry or the inventory.
        assertThat(registry.find("sensor-2")).contains(before);
        assertThat(before.activeInstanceId()).isEmpty();
        assertThat(store.findAssignment("sensor-2")).isEmpty();
        assertThat(store.assignedCounts().values()).containsOnly(0L);

        // With the right key again, the same device provisions: the key was the only thing wrong.
        callsTheWebhook(FACTORY, webhook(server, FUNCTION_KEY));
        ProvisioningResult fixed = device.reprovision("enrollment fixed");
        assertThat(fixed.idScope()).as(fixed.toString()).isEqualTo(scope(ACME));
    }
}
