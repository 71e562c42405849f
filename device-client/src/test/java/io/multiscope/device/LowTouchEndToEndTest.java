package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.ProxyProvisioningService;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.claims.BundleSigner;
import io.multiscope.core.claims.BundleSigners;
import io.multiscope.core.claims.ClaimCodeHasher;
import io.multiscope.core.claims.ClaimCodeIssuer;
import io.multiscope.core.claims.ClaimService;
import io.multiscope.core.claims.HmacInstallerTokens;
import io.multiscope.core.claims.InstallerIdentity;
import io.multiscope.core.dps.AzureSdkDeviceGateway;
import io.multiscope.core.dps.DpsCredentials;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.core.time.VirtualScheduler;
import io.multiscope.device.InvalidBundleException.Reason;
import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.device.ProvisioningResult.Source;
import io.multiscope.testkit.DeviceCertificate;
import io.multiscope.testkit.RegistrationView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pattern 4 with the real parts on both sides: an installer app claims a device over HTTPS ({@code POST /v1/claims}
 * on {@link ProvisioningHttpServer}, authenticated with an {@link HmacInstallerTokens} token, claim codes issued by
 * {@link ClaimCodeIssuer}) and hands the bundle it gets to a {@link DeviceProvisioner}, which verifies it and boots
 * from it against the emulated DPS through the real Azure SDK. Devices leave the factory configured for the vendor's
 * DPS instance; each customer has an instance of its own, which the claim service places their devices on. The
 * bundles are the service's own, never rebuilt here: what is tested is that the two sides agree on the format.
 * One virtual clock for the emulator, the service and the devices.
 */
class LowTouchEndToEndTest {

    static final String VENDOR = "dps-vendor";
    static final String ACME = "dps-acme";
    static final String GLOBEX = "dps-globex";
    static final String ACME_HUB = ACME + "-hub.azure-devices.net";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    VirtualClock clock;
    TestEnvironment env;
    InMemoryInventoryStore store;
    ClaimCodeIssuer issuer;
    HmacInstallerTokens tokens;
    ClaimCodeHasher hasher;
    KeyPair serviceKeys;
    ProxyProvisioningService proxy;
    ProvisioningHttpServer server;
    HttpClient http;

    @BeforeEach
    void start() {
        // Not on a whole second: the bundle's times must still come out at second precision.
        clock = VirtualClock.startingAt(Instant.now().truncatedTo(ChronoUnit.SECONDS).plusMillis(345));
        env = TestEnvironment.start(clock, null, UnaryOperator.identity(), VENDOR, ACME, GLOBEX);
        store = new InMemoryInventoryStore(clock);
        hasher = ClaimCodeHasher.withPepper("2026-01", random(32));
        issuer = ClaimCodeIssuer.builder(store.ownership(), hasher).clock(clock).validity(Duration.ofDays(30)).build();
        tokens = HmacInstallerTokens.builder(random(32)).issuer("https://id.example.com")
                .audience("multiscope-claims").clock(clock).build();
        serviceKeys = BundleTest.ecKeys();
        http = HttpClient.newBuilder().sslContext(env.dps.clientSslContext()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        env.close();
    }

    // ---- the service ----

    private DpsInstance customerInstance(String name, String owner) {
        return DpsInstance.builder(name).idScope(scope(name)).globalEndpoint(env.dps.deviceEndpoint())
                .region("westeurope").tenantPool(owner).build();
    }

    /**
     * A mixed fleet, signed as the claims docs suggest: symmetric-key devices with HMAC under their own key, X.509
     * devices (ids starting {@code x509-}) with the service's EC key.
     */
    private BundleSigner signer() {
        return BundleSigners.firstOf(
                BundleSigners.deviceKeys(id -> id.startsWith("x509-") ? Optional.empty()
                        : Optional.of(SasToken.deriveDeviceKey(TestEnvironment.GROUP_KEY, id))),
                BundleSigners.privateKey(serviceKeys.getPrivate()));
    }

    private ClaimService.Builder claims() {
        return ClaimService.builder().installers(tokens).codeHasher(hasher).bundleSigner(signer()).clock(clock);
    }

    /** Direct variant: the claim places the device (pattern 1); the bundle names its DPS instance. */
    private void startDirect() throws Exception {
        ZeroTouchProvisioning zeroTouch = ZeroTouchProvisioning.builder().store(store).clock(clock).ticker(clock)
                .snapshotInterval(Duration.ZERO).admission(AdmissionControl.builder().clock(clock).build())
                .attestation(SymmetricKeyAttestation.builder().groupKey(TestEnvironment.GROUP_KEY).clock(clock)
                        .build())
                .instance(customerInstance(ACME, "acme")).instance(customerInstance(GLOBEX, "globex")).build();
        serve(ProvisioningApi.builder(zeroTouch).claims(claims().direct(zeroTouch).build()).build());
    }

    /** Proxy variant: the claim registers the device with DPS (pattern 2); the bundle is the registration result. */
    private void startProxy() throws Exception {
        ProxyProvisioningService.Builder b = ProxyProvisioningService.builder().store(store)
                .attestation(SymmetricKeyAttestation.builder().groupKey(TestEnvironment.GROUP_KEY).clock(clock)
                        .build())
                .deviceGateway(AzureSdkDeviceGateway.builder().sslContext(env.dps.clientSslContext())
                        .timeout(Duration.ofSeconds(15)).build())
                .admission(AdmissionControl.builder().clock(clock).build())
                .clock(clock).ticker(clock).sleeper(clock).scheduler(new VirtualScheduler(clock))
                .snapshotInterval(Duration.ZERO);
        for (String name : List.of(ACME, GLOBEX)) {
            b.instance(customerInstance(name, name.equals(ACME) ? "acme" : "globex"), DpsCredentials.builder(name)
                    .enrollmentGroup("fleet").groupKey(TestEnvironment.GROUP_KEY)
                    .serviceConnectionString(env.instance(name).serviceConnectionString()).build());
        }
        proxy = b.build();
        serve(ProvisioningApi.builder(proxy).claims(claims().proxy(proxy).build()).build());
    }

    private void serve(ProvisioningApi api) throws Exception {
        server = ProvisioningHttpServer.https(api, TestEnvironment.PKI.serverKeyManagers(List.of())).threads(2)
                .start();
    }

    // ---- the installer app ----

    private HttpResponse<String> claim(String installer, String tenant, String registrationId, String code)
            throws Exception {
        String token = tokens.issue(new InstallerIdentity(installer, tenant), Duration.ofHours(1));
        String body = JSON.writeValueAsString(Map.of("registrationId", registrationId, "claimCode", code));
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/v1/claims"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A successful claim's bundle, exactly as the installer app received it. */
    private String bundle(String installer, String tenant, String registrationId, String code) throws Exception {
        HttpResponse<String> r = claim(installer, tenant, registrationId, code);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        return r.body();
    }

    // ---- the device ----

    private String scope(String instance) {
        return env.instance(instance).idScope();
    }

    private Path stateFile(String registrationId) {
        return dir.resolve(registrationId + ".json");
    }

    /** Firmware as it leaves the factory: the vendor's DPS instance, a key derived from the group key. */
    private DeviceProvisioner device(String registrationId, RecordingListener events) {
        return env.base(events).sleeper(clock::sleep)
                .symmetricKey(registrationId, SasToken.deriveDeviceKey(TestEnvironment.GROUP_KEY, registrationId))
                .dps(env.dps.deviceEndpoint(), scope(VENDOR))
                .stateStore(FileStateStore.at(stateFile(registrationId))).build();
    }

    private static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return b;
    }

    // ---- the tests ----

    @Test
    void aDirectBundleFromARealClaimMakesTheDeviceRegisterAtTheDpsItNames() throws Exception {
        startDirect();
        String code = issuer.issue("thermostat-7", "acme").code();
        RecordingListener events = new RecordingListener();
        DeviceProvisioner device = device("thermostat-7", events);

        // The installer types what the label says, in whatever case.
        String bundle = bundle("alice", "acme", "THERMOSTAT-7", code.toLowerCase());
        ProvisioningResult applied = device.applyBundle(bundle);

        JsonNode json = JSON.readTree(bundle);
        assertThat(json.get("registrationId").asText()).isEqualTo("thermostat-7");
        assertThat(json.get("idScope").asText()).isEqualTo(scope(ACME));
        assertThat(json.has("assignedHub")).as("absent, not null, in the direct variant").isFalse();
        assertThat(json.has("deviceId")).isFalse();
        assertThat(json.get("issuedAt").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z")
                .isEqualTo(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        assertThat(json.get("expiresAt").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
        assertThat(applied.isProvisioned()).isFalse();
        assertThat(applied.detail()).contains(scope(ACME));
        assertThat(events.of(Type.BUNDLE_APPLIED)).hasSize(1);
        assertThat(env.dpsRequests()).as("applying a bundle is local").isZero();

        ProvisioningResult result = device.ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.source()).contains(Source.REGISTERED);
        assertThat(result.globalEndpoint()).isEqualTo(env.dps.deviceEndpoint());
        assertThat(result.idScope()).isEqualTo(scope(ACME));
        assertThat(result.assignedHub()).isEqualTo(ACME_HUB);
        assertThat(env.instance(ACME).registration("thermostat-7")).hasValueSatisfying(r -> {
            assertThat(r.isAssigned()).isTrue();
            assertThat(r.enrollmentGroupId()).isEqualTo("fleet");
        });
        assertThat(env.deviceRequests(VENDOR)).as("the factory configuration is skipped").isZero();
        assertThat(env.deviceRequests(GLOBEX)).isZero();
        // The service placed it for acme and used the code.
        assertThat(store.findAssignment("thermostat-7")).hasValueSatisfying(a -> {
            assertThat(a.instanceId()).isEqualTo(ACME);
            assertThat(a.tenant()).contains("acme");
        });
        Ownership record = store.ownership().find("thermostat-7").orElseThrow();
        assertThat(record.claim().orElseThrow().claimedBy()).contains("alice");
        assertThat(record.activeInstanceId()).contains(ACME);

        long requests = env.dpsRequests();
        ProvisioningResult reboot = device("thermostat-7", new RecordingListener()).ensureProvisioned();
        assertThat(reboot).isEqualTo(result);
        assertThat(reboot.source()).contains(Source.STORED);
        assertThat(env.dpsRequests()).isEqualTo(requests);
    }

    @Test
    void aProxyBundleFromARealClaimProvisionsTheDeviceWithoutAnyNetworkCall() throws Exception {
        startProxy();
        String code = issuer.issue("meter-5", "acme").code();
        String bundle = bundle("alice", "acme", "meter-5", code);
        RegistrationView registered = env.instance(ACME).registration("meter-5").orElseThrow();
        long requests = env.dpsRequests();
        Instant before = clock.instant();
        RecordingListener events = new RecordingListener();
        DeviceProvisioner device = device("meter-5", events);

        ProvisioningResult applied = device.applyBundle(bundle);
        ProvisioningResult booted = device.ensureProvisioned();
        ProvisioningResult reboot = device("meter-5", new RecordingListener()).ensureProvisioned();

        assertThat(registered.isAssigned()).isTrue();
        assertThat(applied.isProvisioned()).as(applied.toString()).isTrue();
        assertThat(applied.source()).contains(Source.BUNDLE);
        assertThat(applied.assignedHub()).isEqualTo(registered.assignedHub()).isEqualTo(ACME_HUB);
        assertThat(applied.deviceId()).isEqualTo(registered.deviceId());
        assertThat(applied.idScope()).isEqualTo(scope(ACME));
        assertThat(applied.globalEndpoint()).isEqualTo(env.dps.deviceEndpoint());
        assertThat(booted).isEqualTo(applied);
        assertThat(booted.source()).contains(Source.STORED);
        assertThat(reboot).isEqualTo(applied);
        assertThat(env.dpsRequests()).as("the service registered the device; the device itself calls no one")
                .isEqualTo(requests);
        assertThat(clock.instant()).as("no stagger, no wait").isEqualTo(before);
        assertThat(events.types()).contains(Type.BUNDLE_APPLIED).doesNotContain(Type.STAGGER);
        assertThat(proxy.assignedHub("meter-5")).contains(ACME_HUB);

        // The service registered it through the group whose derived key the device holds: the device can register
        // there itself when asked to, at the bundle's instance.
        ProvisioningResult again = device.reprovision("hub command");
        assertThat(again.isProvisioned()).as(again.toString()).isTrue();
        assertThat(again.source()).contains(Source.REGISTERED);
        assertThat(again.idScope()).isEqualTo(scope(ACME));
        assertThat(again.deviceId()).isEqualTo(applied.deviceId());
        assertThat(env.deviceRequests(VENDOR)).isZero();
    }

    @Test
    void aBundleAlteredOnTheWayIsRefusedAndTheDeviceKeepsItsState() throws Exception {
        startDirect();
        String code = issuer.issue("valve-3", "acme").code();
        DeviceProvisioner device = device("valve-3", new RecordingListener());
        ProvisioningResult before = device.ensureProvisioned();
        assertThat(before.idScope()).as(before.toString()).isEqualTo(scope(VENDOR));
        byte[] stored = Files.readAllBytes(stateFile("valve-3"));
        ObjectNode genuine = (ObjectNode) JSON.readTree(bundle("alice", "acme", "valve-3", code));
        byte[] signature = Base64.getDecoder().decode(genuine.get("signature").asText());
        signature[signature.length - 1] ^= 1;
        long requests = env.dpsRequests();

        List<String> altered = List.of(
                genuine.deepCopy().put("idScope", scope(GLOBEX)).toString(),
                genuine.deepCopy().put("expiresAt", Instant.parse(genuine.get("expiresAt").asText())
                        .plus(Duration.ofDays(365)).toString()).toString(),
                genuine.deepCopy().put("assignedHub", "evil-hub.azure-devices.net").put("deviceId", "valve-3")
                        .toString(),
                genuine.deepCopy().put("signature", Base64.getEncoder().encodeToString(signature)).toString());
        for (String bundle : altered) {
            RecordingListener events = new RecordingListener();
            InvalidBundleException e = catchThrowableOfType(() -> device("valve-3", events).applyBundle(bundle),
                    InvalidBundleException.class);

            assertThat(e).as(bundle).isNotNull();
            assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.BAD_SIGNATURE);
            assertThat(events.of(Type.BUNDLE_REJECTED)).hasSize(1);
            assertThat(Files.readAllBytes(stateFile("valve-3"))).isEqualTo(stored);
            assertThat(device.current()).isEqualTo(before);
        }
        assertThat(device.ensureProvisioned()).isEqualTo(before);
        assertThat(env.dpsRequests()).isEqualTo(requests);

        // The bundle as the service signed it is accepted: the alterations were all that was wrong.
        device.applyBundle(genuine.toString());
        ProvisioningResult moved = device.ensureProvisioned();
        assertThat(moved.idScope()).as(moved.toString()).isEqualTo(scope(ACME));
    }

    @Test
    void aBundleHandedOverAfterItExpiredIsRefused() throws Exception {
        startDirect();
        String bundle = bundle("alice", "acme", "valve-4", issuer.issue("valve-4", "acme").code());
        JsonNode json = JSON.readTree(bundle);
        Instant expiresAt = Instant.parse(json.get("expiresAt").asText());
        DeviceProvisioner device = device("valve-4", new RecordingListener());

        // The installer drives off and comes back later than the bundle's lifetime plus the device's tolerance.
        clock.advance(Duration.between(clock.instant(), expiresAt).plus(Duration.ofMinutes(5)).plusSeconds(1));
        InvalidBundleException e = catchThrowableOfType(() -> device.applyBundle(bundle),
                InvalidBundleException.class);

        assertThat(Instant.parse(json.get("issuedAt").asText())).isBefore(expiresAt);
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.EXPIRED);
        assertThat(e.getMessage()).contains(json.get("expiresAt").asText());
        assertThat(Files.exists(stateFile("valve-4"))).isFalse();
        assertThat(env.dpsRequests()).isZero();
    }

    @Test
    void anX509DeviceVerifiesTheServicesEcdsaBundleWithItsPublicKey() throws Exception {
        startDirect();
        String code = issuer.issue("x509-gateway-2", "acme").code();
        // Its certificate's common name, the registration id, in the case printed on its label.
        DeviceCertificate cert = TestEnvironment.PKI.device("X509-Gateway-2");
        DeviceProvisioner device = env.base(new RecordingListener()).sleeper(clock::sleep)
                .x509(cert.certificate(), cert.privateKey(), cert.intermediates())
                .dps(env.dps.deviceEndpoint(), scope(VENDOR)).bundleVerificationKey(serviceKeys.getPublic())
                .stateStore(FileStateStore.at(stateFile("x509-gateway-2"))).build();
        String bundle = bundle("alice", "acme", "X509-Gateway-2", code);
        ObjectNode json = (ObjectNode) JSON.readTree(bundle);
        assertThat(json.get("alg").asText()).isEqualTo("SHA256withECDSA");
        assertThat(json.get("registrationId").asText()).isEqualTo("x509-gateway-2");

        InvalidBundleException tampered = catchThrowableOfType(() -> device.applyBundle(json.deepCopy()
                .put("idScope", scope(GLOBEX)).toString()), InvalidBundleException.class);
        device.applyBundle(bundle);
        ProvisioningResult result = device.ensureProvisioned();

        assertThat(tampered.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.idScope()).isEqualTo(scope(ACME));
        assertThat(env.instance(ACME).registration("x509-gateway-2")).hasValueSatisfying(r -> {
            assertThat(r.attestationType()).isEqualTo("x509");
            assertThat(r.isAssigned()).isTrue();
        });
        assertThat(env.deviceRequests(VENDOR)).isZero();
    }

    @Test
    void anotherTenantsInstallerGets404AndTheDeviceIsLeftAlone() throws Exception {
        startProxy();
        String acmeCode = issuer.issue("thermostat-8", "acme").code();
        String globexCode = issuer.issue("meter-3", "globex").code();
        Ownership record = store.ownership().find("thermostat-8").orElseThrow();
        DeviceProvisioner device = device("thermostat-8", new RecordingListener());

        // globex's installer has acme's device in hand, code and all.
        HttpResponse<String> foreign = claim("greg", "globex", "thermostat-8", acmeCode);
        HttpResponse<String> unknown = claim("greg", "globex", "no-such-device-1", acmeCode);

        assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(404);
        assertThat(foreign.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(foreign.body()).contains("/problems/claim-not-found\"").doesNotContain("acme");
        assertThat(foreign.body()).as("the same answer as for a device that does not exist")
                .isEqualTo(unknown.body().replace("no-such-device-1", "thermostat-8"));
        assertThat(env.dpsRequests()).as("nothing registered with DPS").isZero();
        assertThat(store.findAssignment("thermostat-8")).isEmpty();
        assertThat(store.ownership().find("thermostat-8")).contains(record);
        // An app that hands the device whatever it got is refused by the device, which stays as it was.
        InvalidBundleException e = catchThrowableOfType(() -> device.applyBundle(foreign.body()),
                InvalidBundleException.class);
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(Files.exists(stateFile("thermostat-8"))).isFalse();
        assertThat(device.current()).isEqualTo(ProvisioningResult.UNPROVISIONED);

        // globex's own device works for globex's installer; acme's for acme's.
        assertThat(claim("greg", "globex", "meter-3", globexCode).statusCode()).isEqualTo(200);
        device.applyBundle(bundle("alice", "acme", "thermostat-8", acmeCode));
        assertThat(device.ensureProvisioned().assignedHub()).isEqualTo(ACME_HUB);
    }

    @Test
    void aUsedCodeIs409AndRegistersNothingTwice() throws Exception {
        startProxy();
        String code = issuer.issue("meter-6", "acme").code();
        String first = bundle("alice", "acme", "meter-6", code);
        long registrations = env.registrations();
        Ownership afterFirst = store.ownership().find("meter-6").orElseThrow();

        HttpResponse<String> again = claim("alice", "acme", "meter-6", code);
        HttpResponse<String> other = claim("bob", "acme", "meter-6", code);

        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(again.body()).contains("/problems/claim-code-used\"").contains("by you");
        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(other.body()).contains("by another installer");
        assertThat(env.registrations()).isEqualTo(registrations).isEqualTo(1);
        assertThat(store.ownership().find("meter-6")).contains(afterFirst);
        assertThat(store.assignedCounts()).containsEntry(ACME, 1L).containsEntry(GLOBEX, 0L);
        // The first claim's bundle still does its job.
        assertThat(device("meter-6", new RecordingListener()).applyBundle(first).assignedHub()).isEqualTo(ACME_HUB);
    }

    @Test
    void anExpiredCodeIs410AndGuessingCodesIsRateLimited() throws Exception {
        startDirect();
        String code = issuer.issue("lock-1", "acme").code();
        String expiring = issuer.issue("lock-2", "acme").code();
        String wrong = issuer.issue("lock-3", "acme").code();

        // Ten wrong guesses a minute are answered; the eleventh is not even read, right code or not.
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> guess = claim("mallory", "acme", "lock-1", wrong);
            assertThat(guess.statusCode()).as(guess.body()).isEqualTo(403);
        }
        HttpResponse<String> limited = claim("mallory", "acme", "lock-1", code);
        assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isPositive();
        assertThat(store.findAssignment("lock-1")).isEmpty();
        clock.advance(Duration.ofSeconds(retryAfter));
        assertThat(claim("mallory", "acme", "lock-1", code).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofDays(30));
        HttpResponse<String> late = claim("alice", "acme", "lock-2", expiring);
        assertThat(late.statusCode()).as(late.body()).isEqualTo(410);
        assertThat(late.body()).contains("/problems/claim-code-expired\"");
        assertThat(store.findAssignment("lock-2")).isEmpty();
        assertThat(store.ownership().find("lock-2").orElseThrow().claim().orElseThrow().isUsed()).isFalse();
    }
}
