package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.device.InvalidBundleException.Reason;
import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.testkit.DeviceCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pattern 4: an installer app hands the device a bundle the service signed; the device verifies it, stores it, and
 * boots from it. Bundles are built here from the format description, not with the device's own code.
 */
class BundleTest {

    static final String ID = "installed-1";
    static final String KEY = SasToken.deriveDeviceKey(TestEnvironment.GROUP_KEY, ID);

    @TempDir
    Path dir;

    TestEnvironment env;
    Path file;
    Instant now;

    @BeforeEach
    void start() {
        env = TestEnvironment.start("dps-a", "dps-b");
        file = dir.resolve("state.json");
        now = env.clock.instant();
    }

    @AfterEach
    void stop() {
        env.close();
    }

    private DeviceProvisioner device(RecordingListener events) {
        return env.direct(env.device(ID, events), "dps-a").stateStore(FileStateStore.at(file)).build();
    }

    private Bundles toDpsB() {
        return Bundles.direct(ID, env.dps.deviceEndpoint(), env.instance("dps-b").idScope(), now);
    }

    @Test
    void aDirectBundleMakesTheNextBootRegisterAtItsDps() {
        RecordingListener events = new RecordingListener();
        DeviceProvisioner device = device(events);

        ProvisioningResult applied = device.applyBundle(Bundles.text(toDpsB().hmac(KEY)));

        assertThat(applied.isProvisioned()).isFalse();
        assertThat(applied.detail()).contains(env.instance("dps-b").idScope());
        assertThat(device.current().isProvisioned()).isFalse();
        assertThat(env.dpsRequests()).as("applying is local").isZero();
        assertThat(events.of(Type.BUNDLE_APPLIED)).hasSize(1);

        ProvisioningResult result = device.ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.idScope()).isEqualTo(env.instance("dps-b").idScope());
        assertThat(result.source()).contains(ProvisioningResult.Source.REGISTERED);
        assertThat(env.instance("dps-b").registration(ID).orElseThrow().status()).isEqualTo("assigned");
        assertThat(env.instance("dps-a").counters().total()).as("the configured DPS is skipped").isZero();
        long requests = env.dpsRequests();
        ProvisioningResult reboot = device(new RecordingListener()).ensureProvisioned();
        assertThat(reboot).isEqualTo(result);
        assertThat(env.dpsRequests()).isEqualTo(requests);

        // The bundle stays in force: reprovisioning registers at its DPS again, not at the configured one.
        ProvisioningResult again = device.reprovision("hub command");
        assertThat(again.idScope()).isEqualTo(env.instance("dps-b").idScope());
        assertThat(env.instance("dps-b").counters().registrations()).isEqualTo(2);
        assertThat(env.instance("dps-a").counters().total()).isZero();
    }

    @Test
    void aDirectBundleBypassesTheProvisioningApi() {
        // Nothing listens there: a device that asked the API could not provision.
        DeviceProvisioner device = env.device(ID, new RecordingListener())
                .provisioningApi(URI.create("https://127.0.0.1:9")).requestTimeout(Duration.ofSeconds(1))
                .stateStore(FileStateStore.at(file)).build();
        device.applyBundle(Bundles.text(toDpsB().hmac(KEY)).getBytes(StandardCharsets.UTF_8));

        ProvisioningResult result = device.ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.idScope()).isEqualTo(env.instance("dps-b").idScope());
    }

    @Test
    void aProxyBundleIsTheResultWithoutAnyNetworkCall() {
        RecordingListener events = new RecordingListener();
        DeviceProvisioner device = device(events);

        ProvisioningResult applied = device.applyBundle(Bundles.text(toDpsB()
                .assigned("dps-b-hub.azure-devices.net", ID).hmac(KEY)));
        ProvisioningResult booted = device.ensureProvisioned();
        ProvisioningResult reboot = device(new RecordingListener()).ensureProvisioned();

        assertThat(applied.isProvisioned()).isTrue();
        assertThat(applied.source()).contains(ProvisioningResult.Source.BUNDLE);
        assertThat(applied.assignedHub()).isEqualTo("dps-b-hub.azure-devices.net");
        assertThat(applied.deviceId()).isEqualTo(ID);
        assertThat(applied.globalEndpoint()).isEqualTo(env.dps.deviceEndpoint());
        assertThat(applied.idScope()).isEqualTo(env.instance("dps-b").idScope());
        assertThat(booted).isEqualTo(applied);
        assertThat(booted.source()).contains(ProvisioningResult.Source.STORED);
        assertThat(reboot).isEqualTo(applied);
        assertThat(env.dpsRequests()).isZero();
        assertThat(env.time.sleeps()).as("no stagger either").isEmpty();
    }

    @Test
    void aGroupKeyDeviceVerifiesWithItsDerivedKey() {
        DeviceProvisioner device = env.base(new RecordingListener()).groupKey(ID, TestEnvironment.GROUP_KEY)
                .dps(env.dps.deviceEndpoint(), env.instance("dps-a").idScope()).build();

        ProvisioningResult applied = device.applyBundle(Bundles.text(toDpsB()
                .assigned("dps-b-hub.azure-devices.net", ID).hmac(KEY)));

        assertThat(applied.isProvisioned()).isTrue();
        InvalidBundleException e = catchThrowableOfType(() -> device.applyBundle(Bundles.text(toDpsB()
                .valid(now.plusSeconds(1), now.plusSeconds(60)).hmac(TestEnvironment.GROUP_KEY))),
                InvalidBundleException.class);
        assertThat(e.reason()).as("the group key itself is not the bundle key").isEqualTo(Reason.BAD_SIGNATURE);
    }

    // ---- refusals: each one throws, says why, and changes nothing ----

    /** A device provisioned at dps-a with its state on file; the refusal must leave the file byte for byte. */
    private void assertRefused(String bundle, Reason reason, String because) throws IOException {
        assertRefused(() -> bundle, reason, because);
    }

    /** @param bundle made after the device's first boot, whose stagger moved the clock */
    private void assertRefused(Supplier<String> bundle, Reason reason, String because) throws IOException {
        DeviceProvisioner device = device(new RecordingListener());
        ProvisioningResult before = device.ensureProvisioned();
        assertThat(before.isProvisioned()).isTrue();
        byte[] stored = Files.readAllBytes(file);
        long requests = env.dpsRequests();
        RecordingListener events = new RecordingListener();

        String text = bundle.get();
        InvalidBundleException e = catchThrowableOfType(() -> device(events).applyBundle(text),
                InvalidBundleException.class);

        assertThat(e).as("refused").isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.registrationId()).isEqualTo(ID);
        assertThat(e.getMessage()).contains(ID).contains(because).doesNotContain(KEY);
        assertThat(events.of(Type.BUNDLE_REJECTED)).singleElement().satisfies(ev -> assertThat(ev.detail())
                .isEqualTo(e.getMessage()));
        assertThat(Files.readAllBytes(file)).isEqualTo(stored);
        assertThat(device.current()).isEqualTo(before);
        assertThat(device.ensureProvisioned()).isEqualTo(before);
        assertThat(env.dpsRequests()).isEqualTo(requests);
    }

    private String edited(ObjectNode bundle, Function<ObjectNode, ObjectNode> edit) {
        return Bundles.text(edit.apply(bundle.deepCopy()));
    }

    @Test
    void aTamperedFieldIsRefused() throws IOException {
        ObjectNode good = toDpsB().hmac(KEY);
        assertRefused(edited(good, b -> b.put("idScope", env.instance("dps-a").idScope())), Reason.BAD_SIGNATURE,
                "does not match");
    }

    @Test
    void anAddedAssignmentIsRefused() throws IOException {
        ObjectNode good = toDpsB().hmac(KEY);
        assertRefused(edited(good, b -> b.put("assignedHub", "evil-hub.azure-devices.net").put("deviceId", ID)),
                Reason.BAD_SIGNATURE, "does not match");
    }

    @Test
    void aTamperedSignatureIsRefused() throws IOException {
        ObjectNode good = toDpsB().hmac(KEY);
        byte[] signature = Base64.getDecoder().decode(good.get("signature").asText());
        signature[0] ^= 1;
        assertRefused(edited(good, b -> b.put("signature", Base64.getEncoder().encodeToString(signature))),
                Reason.BAD_SIGNATURE, "does not match");
    }

    @Test
    void aBundleSignedWithAnotherDevicesKeyIsRefused() throws IOException {
        assertRefused(Bundles.text(toDpsB().hmac(SasToken.deriveDeviceKey(TestEnvironment.GROUP_KEY, "other-1"))),
                Reason.BAD_SIGNATURE, "does not match");
    }

    @Test
    void aBundleForAnotherDeviceIsRefused() throws IOException {
        Bundles other = Bundles.direct("other-1", env.dps.deviceEndpoint(), env.instance("dps-b").idScope(), now);
        assertRefused(Bundles.text(other.hmac(SasToken.deriveDeviceKey(TestEnvironment.GROUP_KEY, "other-1"))),
                Reason.WRONG_DEVICE, "other-1");
    }

    @Test
    void anExpiredBundleIsRefusedBeyondTheTolerance() throws IOException {
        assertRefused(() -> {
            Instant at = env.clock.instant();
            return Bundles.text(toDpsB().valid(at.minusSeconds(3600), at.minus(Duration.ofMinutes(5)).minusSeconds(1))
                    .hmac(KEY));
        }, Reason.EXPIRED, "expired at");
    }

    @Test
    void aBundleExpiredWithinTheToleranceIsAcceptedUnlessTheToleranceIsZero() {
        Bundles late = toDpsB().valid(now.minusSeconds(3600), now.minus(Duration.ofMinutes(5)));
        InvalidBundleException strict = catchThrowableOfType(() -> env.direct(env.device(ID,
                new RecordingListener()), "dps-a").bundleExpiryTolerance(Duration.ZERO).build()
                .applyBundle(Bundles.text(late.hmac(KEY))), InvalidBundleException.class);
        assertThat(strict.reason()).isEqualTo(Reason.EXPIRED);

        ProvisioningResult applied = device(new RecordingListener()).applyBundle(Bundles.text(late.hmac(KEY)));
        assertThat(applied.detail()).contains(env.instance("dps-b").idScope());
    }

    @Test
    void anUnknownAlgorithmIsRefused() throws IOException {
        ObjectNode good = toDpsB().hmac(KEY);
        assertRefused(edited(good, b -> b.put("alg", "HMAC-SHA1")), Reason.UNSUPPORTED_ALGORITHM, "HMAC-SHA1");
    }

    @Test
    void aPublicKeyAlgorithmWithoutAConfiguredKeyIsRefused() throws IOException {
        assertRefused(Bundles.text(toDpsB().signed("SHA256withECDSA", ecKeys().getPrivate())),
                Reason.UNSUPPORTED_ALGORITHM, "no bundleVerificationKey");
    }

    @Test
    void anotherBundleVersionIsRefused() throws IOException {
        ObjectNode good = toDpsB().hmac(KEY);
        assertRefused(edited(good, b -> b.put("bundleVersion", 2)), Reason.UNSUPPORTED_VERSION, "bundleVersion 2");
    }

    @Test
    void malformedBundlesAreRefused() throws IOException {
        ObjectNode good = toDpsB().hmac(KEY);
        String text = Bundles.text(good);
        assertRefused(text.substring(0, text.length() - 1), Reason.MALFORMED, "not a JSON object");
    }

    @Test
    void bundlesWithMissingOrBadFieldsAreRefused() throws IOException {
        ObjectNode good = toDpsB().hmac(KEY);
        assertRefused("[" + Bundles.text(good) + "]", Reason.MALFORMED, "not a JSON object");
        assertRefused(edited(good, b -> b.put("bundleVersion", "1")), Reason.MALFORMED, "bundleVersion");
        assertRefused(edited(good, b -> (ObjectNode) b.without("idScope")), Reason.MALFORMED, "'idScope' is missing");
        assertRefused(edited(good, b -> b.put("globalEndpoint", "https://evil.example.com")), Reason.MALFORMED,
                "globalEndpoint");
        assertRefused(edited(good, b -> b.put("expiresAt", "tomorrow")), Reason.MALFORMED, "expiresAt");
        assertRefused(edited(good, b -> b.put("issuedAt", "2026-11-26T10:00:00+01:00")), Reason.MALFORMED,
                "issuedAt");
        assertRefused(edited(good, b -> b.put("deviceId", ID)), Reason.MALFORMED, "'deviceId' without");
        assertRefused(edited(good, b -> b.put("signature", "not base64!")), Reason.MALFORMED, "base64");
        assertRefused(edited(good, b -> b.put("registrationId", "Bad/Id")), Reason.MALFORMED, "registrationId");
        assertRefused(edited(good, b -> b.put("expiresAt", good.get("issuedAt").asText())), Reason.MALFORMED,
                "not after");
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() throws IOException {
        DeviceProvisioner device = device(new RecordingListener());
        InvalidBundleException e = catchThrowableOfType(() -> device.applyBundle(new byte[] {(byte) 0xff, '{'}),
                InvalidBundleException.class);
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(Files.exists(file)).isFalse();
    }

    // ---- a device that already has a state ----

    @Test
    void aNewerBundleReplacesTheStateTheSameOneChangesNothingAnOlderOneIsRefused() throws IOException {
        DeviceProvisioner device = device(new RecordingListener());
        ProvisioningResult original = device.ensureProvisioned();
        assertThat(original.idScope()).isEqualTo(env.instance("dps-a").idScope());
        String first = Bundles.text(toDpsB().hmac(KEY));

        device.applyBundle(first);
        ProvisioningResult moved = device.ensureProvisioned();
        assertThat(moved.idScope()).isEqualTo(env.instance("dps-b").idScope());

        // The installer app sends the same bundle again: nothing changes, no second registration.
        byte[] stored = Files.readAllBytes(file);
        assertThat(device.applyBundle(first)).isEqualTo(moved);
        assertThat(Files.readAllBytes(file)).isEqualTo(stored);
        assertThat(device.ensureProvisioned().source()).contains(ProvisioningResult.Source.STORED);
        assertThat(env.instance("dps-b").counters().registrations()).isEqualTo(1);

        // A newer proxy bundle replaces the result at once.
        ProvisioningResult replaced = device.applyBundle(Bundles.text(Bundles.direct(ID, env.dps.deviceEndpoint(),
                env.instance("dps-a").idScope(), now.plusSeconds(10)).assigned("dps-a-hub.azure-devices.net", ID)
                .hmac(KEY)));
        assertThat(replaced.source()).contains(ProvisioningResult.Source.BUNDLE);
        assertThat(device.ensureProvisioned()).isEqualTo(replaced);

        // The first bundle, played back later, is older than the one in force.
        env.time.advance(Duration.ofMinutes(1));
        stored = Files.readAllBytes(file);
        InvalidBundleException e = catchThrowableOfType(() -> device.applyBundle(first),
                InvalidBundleException.class);
        assertThat(e.reason()).isEqualTo(Reason.SUPERSEDED);
        assertThat(Files.readAllBytes(file)).isEqualTo(stored);
    }

    @Test
    void bundlesAppliedConcurrentlyEndWithTheNewest() throws Exception {
        DeviceProvisioner device = device(new RecordingListener());
        int threads = 8;
        List<String> bundles = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            bundles.add(Bundles.text(Bundles.direct(ID, env.dps.deviceEndpoint(), env.instance("dps-b").idScope(),
                    now.plusSeconds(i)).assigned("dps-b-hub.azure-devices.net", "device-" + i).hmac(KEY)));
        }
        Collections.shuffle(bundles, new Random(7));
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<String>> outcomes = new ArrayList<>();
        try {
            for (String bundle : bundles) {
                outcomes.add(pool.submit(() -> {
                    go.await();
                    try {
                        return device.applyBundle(bundle).deviceId();
                    } catch (InvalidBundleException e) {
                        return e.reason().name();
                    }
                }));
            }
            go.countDown();
            List<String> results = new ArrayList<>();
            for (Future<String> outcome : outcomes) {
                results.add(outcome.get(30, TimeUnit.SECONDS));
            }
            assertThat(results).as("each bundle was applied or refused as older than one in force")
                    .allMatch(r -> r.startsWith("device-") || r.equals(Reason.SUPERSEDED.name()));
        } finally {
            pool.shutdownNow();
        }

        assertThat(device.current().deviceId()).isEqualTo("device-" + (threads - 1));
        assertThat(device(new RecordingListener()).ensureProvisioned().deviceId()).isEqualTo("device-"
                + (threads - 1));
    }

    @Test
    void aBundleClosesAnOpenCircuit() {
        env.instance("dps-a").takeDown();
        DeviceProvisioner device = env.direct(env.device(ID, new RecordingListener()), "dps-a")
                .circuitBreaker(CircuitBreakerPolicy.builder().failureThreshold(1).build())
                .stateStore(FileStateStore.at(file)).build();
        assertThat(device.ensureProvisioned().reason()).contains(ProvisioningResult.Reason.CIRCUIT_OPEN);
        assertThat(device.ensureProvisioned().reason()).contains(ProvisioningResult.Reason.CIRCUIT_OPEN);

        device.applyBundle(Bundles.text(toDpsB().hmac(KEY)));
        ProvisioningResult result = device.ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.idScope()).isEqualTo(env.instance("dps-b").idScope());
    }

    @Test
    void aStoreThatCannotWriteLeavesEverythingAsItWas() {
        FailingStore store = new FailingStore();
        DeviceProvisioner device = env.direct(env.device(ID, new RecordingListener()), "dps-a").stateStore(store)
                .build();
        ProvisioningResult before = device.ensureProvisioned();
        store.failWrites = true;

        assertThatThrownBy(() -> device.applyBundle(Bundles.text(toDpsB().assigned("dps-b-hub.azure-devices.net",
                ID).hmac(KEY)))).isInstanceOf(UncheckedIOException.class).hasMessageContaining("bundle");

        store.failWrites = false;
        assertThat(device.current()).isEqualTo(before);
    }

    // ---- X.509 devices verify with the service's public key ----

    @Test
    void anX509DeviceAcceptsAnEcdsaBundleSignedForIt() {
        KeyPair service = ecKeys();
        DeviceCertificate cert = TestEnvironment.PKI.device("x509-installed-1");
        DeviceProvisioner device = env.base(new RecordingListener())
                .x509(cert.certificate(), cert.privateKey(), cert.intermediates())
                .dps(env.dps.deviceEndpoint(), env.instance("dps-a").idScope())
                .bundleVerificationKey(service.getPublic()).stateStore(FileStateStore.at(file)).build();
        Bundles bundle = Bundles.direct("x509-installed-1", env.dps.deviceEndpoint(),
                env.instance("dps-b").idScope(), now);

        InvalidBundleException hmac = catchThrowableOfType(() -> device.applyBundle(Bundles.text(bundle.hmac(KEY))),
                InvalidBundleException.class);
        InvalidBundleException otherKey = catchThrowableOfType(() -> device.applyBundle(Bundles.text(
                bundle.signed("SHA256withECDSA", ecKeys().getPrivate()))), InvalidBundleException.class);
        InvalidBundleException rsa = catchThrowableOfType(() -> device.applyBundle(Bundles.text(
                bundle.signed("SHA256withECDSA", service.getPrivate()).put("alg", "SHA256withRSA"))),
                InvalidBundleException.class);
        device.applyBundle(Bundles.text(bundle.signed("SHA256withECDSA", service.getPrivate())));
        ProvisioningResult result = device.ensureProvisioned();

        assertThat(hmac.reason()).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
        assertThat(hmac.getMessage()).contains("no symmetric key");
        assertThat(otherKey.reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(rsa.reason()).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.idScope()).isEqualTo(env.instance("dps-b").idScope());
        assertThat(env.instance("dps-b").registration("x509-installed-1").orElseThrow().attestationType())
                .isEqualTo("x509");
        assertThat(env.instance("dps-a").counters().total()).isZero();
    }

    @Test
    void anRsaSignedProxyBundleIsAcceptedWithTheRsaKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair service = generator.generateKeyPair();
        DeviceProvisioner device = env.direct(env.device(ID, new RecordingListener()), "dps-a")
                .bundleVerificationKey(service.getPublic()).build();

        ProvisioningResult result = device.applyBundle(Bundles.text(toDpsB()
                .assigned("dps-b-hub.azure-devices.net", "custom-device-id").signed("SHA256withRSA",
                        service.getPrivate())));

        assertThat(result.deviceId()).isEqualTo("custom-device-id");
        assertThat(device.ensureProvisioned()).isEqualTo(result);
        assertThat(env.dpsRequests()).isZero();
    }

    static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keeps state in memory, but refuses writes when told to (a full or read-only flash, say). */
    static final class FailingStore implements ProvisioningStateStore {
        private final InMemoryStateStore inner = new InMemoryStateStore();
        volatile boolean failWrites;

        @Override
        public Optional<byte[]> read() {
            return inner.read();
        }

        @Override
        public void write(byte[] state) throws IOException {
            if (failWrites) {
                throw new IOException("no space left on device");
            }
            inner.write(state);
        }

        @Override
        public void clear() {
            inner.clear();
        }
    }
}
