package io.multiscope.core.claims;

import static io.multiscope.core.claims.ClaimsFixture.installer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.ownership.ClaimCode;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipOutcome;
import io.multiscope.core.ownership.OwnershipPage;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.ownership.TransferRequest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

/** The claim flow, direct variant (pattern 1 places the device), all in virtual time. */
class ClaimServiceTest {

    static final InstallerIdentity ALICE = installer("alice", "acme");
    static final InstallerIdentity BOB = installer("bob", "acme");
    static final InstallerIdentity GREG = installer("greg", "globex");

    final ClaimsFixture f = new ClaimsFixture();

    static void refused(ThrowableAssert.ThrowingCallable call, ClaimRefusedException.Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ClaimRefusedException.class,
                e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }

    @Test
    void aClaimPlacesTheDeviceUsesTheCodeAndReturnsASignedBundle() throws Exception {
        Instant now = f.clock.instant();

        ProvisioningBundle bundle = f.claims.claim(ALICE, new ClaimRequest("ACME-1", f.acme1Code.toLowerCase()));

        DeviceAssignment placed = f.store.findAssignment("acme-1").orElseThrow();
        assertThat(placed.tenant()).contains("acme");
        assertThat(bundle.registrationId()).isEqualTo("acme-1");
        assertThat(bundle.globalEndpoint()).isEqualTo(DpsInstance.DEFAULT_GLOBAL_ENDPOINT);
        assertThat(bundle.idScope()).isEqualTo(placed.idScope());
        assertThat(bundle.assignedHub()).isEmpty();
        assertThat(bundle.deviceId()).isEmpty();
        assertThat(bundle.issuedAt()).isEqualTo(now);
        assertThat(bundle.expiresAt()).isEqualTo(now.plus(Duration.ofHours(1)));
        assertThat(bundle.alg()).isEqualTo(BundleSignature.HMAC_SHA256);

        JsonNode json = ClaimsFixture.json(bundle.toJson());
        assertThat(json.get("bundleVersion").asInt()).isEqualTo(1);
        assertThat(json.get("issuedAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(json.get("expiresAt").asText()).isEqualTo("2026-01-01T01:00:00Z");
        assertThat(json.has("assignedHub")).isFalse();
        assertThat(ClaimsFixture.hmacSignatureVerifies(json, ClaimsFixture.DEVICE_GROUP_KEY)).isTrue();
        assertThat(ClaimsFixture.hmacSignatureVerifies(json, Base64.getEncoder().encodeToString(
                "some-other-group-key-of-32-bytes".getBytes(StandardCharsets.UTF_8)))).isFalse();

        Ownership record = f.record("acme-1");
        ClaimCode code = record.claim().orElseThrow();
        assertThat(code.claimedBy()).contains("alice");
        assertThat(code.claimedAt()).contains(now);
        assertThat(record.activeInstanceId()).contains(placed.instanceId());
    }

    @Test
    void aCodeWorksOnce() {
        f.claims.claim(ALICE, new ClaimRequest("acme-1", f.acme1Code));
        Ownership after = f.record("acme-1");
        long assigned = f.assignedDevices();

        refused(() -> f.claims.claim(ALICE, new ClaimRequest("acme-1", f.acme1Code)),
                ClaimRefusedException.Reason.CODE_USED);
        assertThatThrownBy(() -> f.claims.claim(BOB, new ClaimRequest("acme-1", f.acme1Code)))
                .hasMessageContaining("by another installer");

        assertThat(f.record("acme-1")).isEqualTo(after);
        assertThat(f.assignedDevices()).isEqualTo(assigned);
    }

    @Test
    void anExpiredCodeIsRefusedAndNothingChanges() {
        Ownership before = f.record("acme-1");
        f.clock.advance(Duration.ofDays(30).minusSeconds(1));
        f.claims.claim(ALICE, new ClaimRequest("acme-2", f.acme2Code)); // still valid one second before

        f.clock.advance(Duration.ofSeconds(1));
        refused(() -> f.claims.claim(ALICE, new ClaimRequest("acme-1", f.acme1Code)),
                ClaimRefusedException.Reason.CODE_EXPIRED);

        assertThat(f.record("acme-1")).isEqualTo(before);
        assertThat(f.store.findAssignment("acme-1")).isEmpty();
    }

    @Test
    void aWrongCodeOrADeviceWithoutCodeIsRefusedForTheOwnTenantsDevices() {
        Ownership before = f.record("acme-1");
        refused(() -> f.claims.claim(ALICE, new ClaimRequest("acme-1", f.acme2Code)),
                ClaimRefusedException.Reason.CODE_MISMATCH);
        f.ownership().register(NewOwnership.of("acme-9", "acme"));
        refused(() -> f.claims.claim(ALICE, new ClaimRequest("acme-9", f.acme1Code)),
                ClaimRefusedException.Reason.NO_CODE);
        assertThat(f.record("acme-1")).isEqualTo(before);
        assertThat(f.assignedDevices()).isZero();
    }

    @Test
    void anotherTenantsDeviceLooksExactlyLikeADeviceThatDoesNotExist() {
        Ownership before = f.record("acme-1");

        ClaimRefusedException foreign = catchRefusal(() -> f.claims.claim(GREG,
                new ClaimRequest("acme-1", f.acme1Code)));
        ClaimRefusedException foreignWrongCode = catchRefusal(() -> f.claims.claim(GREG,
                new ClaimRequest("acme-1", f.globex1Code)));
        f.ownership().remove("acme-1", before.version());
        ClaimRefusedException unknown = catchRefusal(() -> f.claims.claim(GREG,
                new ClaimRequest("acme-1", f.acme1Code)));

        for (ClaimRefusedException e : List.of(foreign, foreignWrongCode, unknown)) {
            assertThat(e.reason()).isEqualTo(ClaimRefusedException.Reason.NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo(unknown.getMessage()).doesNotContain("acme'");
            assertThat(e.registrationId()).contains("acme-1");
        }
        assertThat(f.store.findAssignment("acme-1")).isEmpty();
        // Used, expired or mismatched: globex learns none of it about acme's devices.
        f.ownership().register(new NewOwnership("acme-1", "acme", Optional.empty(), before.claim()));
        f.claims.claim(ALICE, new ClaimRequest("acme-1", f.acme1Code));
        refused(() -> f.claims.claim(GREG, new ClaimRequest("acme-1", f.acme1Code)),
                ClaimRefusedException.Reason.NOT_FOUND);
    }

    @Test
    void beyondTheRateLimitEvenTheRightCodeIsRefusedUntilTimePasses() {
        for (int i = 0; i < 10; i++) {
            refused(() -> f.claims.claim(ALICE, new ClaimRequest("acme-1", f.acme2Code)),
                    ClaimRefusedException.Reason.CODE_MISMATCH);
        }
        Ownership before = f.record("acme-1");

        assertThatThrownBy(() -> f.claims.claim(ALICE, new ClaimRequest("acme-1", f.acme1Code)))
                .isInstanceOfSatisfying(ClaimRateLimitedException.class, e -> {
                    assertThat(e.installerId()).isEqualTo("alice");
                    // 10 a minute: the next attempt is allowed in 6 s.
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(6));
                });
        // Malformed input counts too, and is refused by the limit before it is even read.
        assertThatThrownBy(() -> f.claims.claim(ALICE, new ClaimRequest("bad id!", "x")))
                .isInstanceOf(ClaimRateLimitedException.class);
        assertThat(f.record("acme-1")).isEqualTo(before);
        assertThat(f.store.findAssignment("acme-1")).isEmpty();

        // Bob, of the same tenant, has his own budget.
        refused(() -> f.claims.claim(BOB, new ClaimRequest("acme-1", f.acme2Code)),
                ClaimRefusedException.Reason.CODE_MISMATCH);

        f.clock.advance(Duration.ofSeconds(5));
        assertThatThrownBy(() -> f.claims.claim(ALICE, new ClaimRequest("acme-1", f.acme1Code)))
                .isInstanceOf(ClaimRateLimitedException.class);
        f.clock.advance(Duration.ofSeconds(1));
        assertThat(f.claims.claim(ALICE, new ClaimRequest("acme-1", f.acme1Code)).registrationId())
                .isEqualTo("acme-1");
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        Ownership before = f.record("acme-1");
        assertThatThrownBy(() -> f.claims.claim(ALICE, new ClaimRequest("acme 1", f.acme1Code)))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.problemType()).isEqualTo("invalid-registration-id"));
        assertThatThrownBy(() -> f.claims.claim(ALICE, new ClaimRequest("a".repeat(129), f.acme1Code)))
                .isInstanceOf(InvalidRequestException.class);
        for (String code : new String[] {f.acme1Code + "-" + f.acme1Code + "-" + f.acme1Code + "-X", "", "!!!!-????"}) {
            assertThatThrownBy(() -> f.claims.claim(ALICE, new ClaimRequest("acme-1", code)))
                    .isInstanceOfSatisfying(InvalidRequestException.class,
                            e -> assertThat(e.problemType()).isEqualTo("invalid-claim-code"));
        }
        assertThat(f.record("acme-1")).isEqualTo(before);
        assertThat(f.assignedDevices()).isZero();
    }

    @Test
    void ofConcurrentClaimsOfOneCodeExactlyOneGetsABundle() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        Map<String, Object> outcomes = new ConcurrentHashMap<>();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                InstallerIdentity installer = installer("installer-" + t, "acme");
                futures.add(pool.submit(() -> {
                    start.await();
                    try {
                        outcomes.put(installer.installerId(), f.claims.claim(installer,
                                new ClaimRequest("acme-1", f.acme1Code)));
                    } catch (ClaimRefusedException e) {
                        outcomes.put(installer.installerId(), e.reason());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        List<String> winners = outcomes.entrySet().stream().filter(e -> e.getValue() instanceof ProvisioningBundle)
                .map(Map.Entry::getKey).toList();
        assertThat(winners).hasSize(1);
        assertThat(outcomes.values().stream().filter(o -> !(o instanceof ProvisioningBundle)))
                .hasSize(threads - 1).allMatch(o -> o == ClaimRefusedException.Reason.CODE_USED);
        assertThat(f.record("acme-1").claim().orElseThrow().claimedBy()).contains(winners.get(0));
        assertThat(f.assignedDevices()).isEqualTo(1);
    }

    @Test
    void anUnrelatedConcurrentChangeOfTheRecordDoesNotFailTheClaimButAReplacedCodeDoes() {
        // Someone else writes the record between the claim's read and its write: the version moves on.
        AtomicBoolean interfere = new AtomicBoolean(true);
        OwnershipRegistry racing = new Interfering(f.ownership(), id -> {
            if (interfere.getAndSet(false)) {
                Ownership r = f.ownership().find(id).orElseThrow();
                f.ownership().update(r.withActiveInstance("us"));
            }
        });
        ClaimService service = ClaimService.builder().installers(f.tokens).codeHasher(f.hasher)
                .bundleSigner(BundleSigners.groupKey(ClaimsFixture.DEVICE_GROUP_KEY)).direct(f.zeroTouch)
                .ownership(racing).clock(f.clock).build();

        assertThat(service.claim(ALICE, new ClaimRequest("acme-1", f.acme1Code)).registrationId()).isEqualTo("acme-1");
        assertThat(f.record("acme-1").claim().orElseThrow().claimedBy()).contains("alice");

        // Now the owner issues a new code while acme-2's claim is under way: the claim with the old code loses.
        interfere.set(true);
        OwnershipRegistry reissuing = new Interfering(f.ownership(), id -> {
            if (interfere.getAndSet(false)) {
                f.issuer.issue(id, "acme");
            }
        });
        ClaimService service2 = ClaimService.builder().installers(f.tokens).codeHasher(f.hasher)
                .bundleSigner(BundleSigners.groupKey(ClaimsFixture.DEVICE_GROUP_KEY)).direct(f.zeroTouch)
                .ownership(reissuing).clock(f.clock).build();
        refused(() -> service2.claim(ALICE, new ClaimRequest("acme-2", f.acme2Code)),
                ClaimRefusedException.Reason.CODE_MISMATCH);
        assertThat(f.record("acme-2").claim().orElseThrow().isUsed()).isFalse();
    }

    @Test
    void aDeferredPlacementLeavesTheCodeUnusedForALaterClaim() {
        ClaimsFixture slow = new ClaimsFixture(1, b -> { });
        slow.claims.claim(ALICE, new ClaimRequest("acme-1", slow.acme1Code));
        slow.claims.claim(installer("carol", "globex"), new ClaimRequest("globex-1", slow.globex1Code));
        Ownership before = slow.record("acme-2");

        assertThatThrownBy(() -> slow.claims.claim(ALICE, new ClaimRequest("acme-2", slow.acme2Code)))
                .isInstanceOfSatisfying(ClaimDeferredException.class,
                        e -> assertThat(e.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(2)));
        assertThat(slow.record("acme-2")).isEqualTo(before);

        slow.clock.advance(Duration.ofMinutes(1));
        assertThat(slow.claims.claim(ALICE, new ClaimRequest("acme-2", slow.acme2Code)).registrationId())
                .isEqualTo("acme-2");
    }

    @Test
    void x509DevicesGetBundlesSignedWithTheServersPrivateKey() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair serverKey = ec.generateKeyPair();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair rsaKey = rsa.generateKeyPair();
        // acme-1 has a symmetric key of its own; everything else is an X.509 device.
        String acme1Key = Base64.getEncoder().encodeToString("individual-key-of-acme-1-32bytes".getBytes());
        BundleSigner signer = BundleSigners.firstOf(
                BundleSigners.deviceKeys(id -> id.equals("acme-1") ? Optional.of(acme1Key) : Optional.empty()),
                BundleSigners.privateKey(serverKey.getPrivate()));
        ClaimsFixture fx = new ClaimsFixture(1000, b -> b.bundleSigner(signer));

        ProvisioningBundle x509 = fx.claims.claim(ALICE, new ClaimRequest("acme-2", fx.acme2Code));
        assertThat(x509.alg()).isEqualTo("SHA256withECDSA");
        assertThat(verifies("SHA256withECDSA", serverKey, ClaimsFixture.json(x509.toJson()))).isTrue();

        ProvisioningBundle symmetric = fx.claims.claim(ALICE, new ClaimRequest("acme-1", fx.acme1Code));
        assertThat(symmetric.alg()).isEqualTo("HMAC-SHA256");

        ClaimsFixture withRsa = new ClaimsFixture(1000, b -> b.bundleSigner(BundleSigners.privateKey(
                rsaKey.getPrivate())));
        ProvisioningBundle rsaSigned = withRsa.claims.claim(ALICE, new ClaimRequest("acme-1", withRsa.acme1Code));
        assertThat(rsaSigned.alg()).isEqualTo("SHA256withRSA");
        assertThat(verifies("SHA256withRSA", rsaKey, ClaimsFixture.json(rsaSigned.toJson()))).isTrue();
        JsonNode tampered = ClaimsFixture.json(rsaSigned.toJson());
        ((com.fasterxml.jackson.databind.node.ObjectNode) tampered).put("globalEndpoint", "evil.example.com");
        assertThat(verifies("SHA256withRSA", rsaKey, tampered)).isFalse();
    }

    @Test
    void withoutASigningKeyForTheDeviceTheClaimFailsAndTheCodeStaysUnused() {
        ClaimsFixture fx = new ClaimsFixture(1000, b -> b.bundleSigner(BundleSigners.tenantGroupKeys(
                Map.of("globex", ClaimsFixture.DEVICE_GROUP_KEY))));
        assertThatThrownBy(() -> fx.claims.claim(ALICE, new ClaimRequest("acme-1", fx.acme1Code)))
                .hasMessageContaining("No bundle signer has a key for device 'acme-1'");
        assertThat(fx.record("acme-1").claim().orElseThrow().isUsed()).isFalse();
        assertThat(fx.claims.claim(GREG, new ClaimRequest("globex-1", fx.globex1Code)).alg()).isEqualTo("HMAC-SHA256");
    }

    @Test
    void authenticationUsesTheConfiguredVerifier() {
        assertThat(f.claims.authenticate(f.token("alice", "acme"))).isEqualTo(ALICE);
        assertThatThrownBy(() -> f.claims.authenticate(" ")).isInstanceOfSatisfying(
                InstallerAuthenticationException.class, e -> assertThat(e.problemType())
                        .isEqualTo(InstallerAuthenticationException.AUTHENTICATION_REQUIRED));
        assertThatThrownBy(() -> f.claims.authenticate("a.b.c")).isInstanceOf(InstallerAuthenticationException.class);
    }

    @Test
    void theBuilderRefusesIncompleteOrContradictoryConfiguration() {
        BundleSigner signer = BundleSigners.groupKey(ClaimsFixture.DEVICE_GROUP_KEY);
        assertThatThrownBy(() -> ClaimService.builder().codeHasher(f.hasher).bundleSigner(signer).direct(f.zeroTouch)
                .build()).hasMessageContaining("installer token verifier is required");
        assertThatThrownBy(() -> ClaimService.builder().installers(f.tokens).bundleSigner(signer).direct(f.zeroTouch)
                .build()).hasMessageContaining("hasher is required");
        assertThatThrownBy(() -> ClaimService.builder().installers(f.tokens).codeHasher(f.hasher).direct(f.zeroTouch)
                .build()).hasMessageContaining("bundle signer is required");
        assertThatThrownBy(() -> ClaimService.builder().installers(f.tokens).codeHasher(f.hasher).bundleSigner(signer)
                .build()).hasMessageContaining("provisioning variant is required");
        assertThatThrownBy(() -> ClaimService.builder().rateLimit(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaimService.builder().bundleLifetime(Duration.ofDays(8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClaimService.builder().maxTrackedInstallers(10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BundleSigners.groupKey("c2hvcnQ=")).hasMessageContaining("at least 16 bytes");
    }

    private static boolean verifies(String alg, KeyPair key, JsonNode bundle) throws Exception {
        Signature signature = Signature.getInstance(alg);
        signature.initVerify(key.getPublic());
        signature.update(ClaimsFixture.signedText(bundle).getBytes(StandardCharsets.UTF_8));
        return signature.verify(Base64.getDecoder().decode(bundle.get("signature").asText()));
    }

    private static ClaimRefusedException catchRefusal(ThrowableAssert.ThrowingCallable call) {
        try {
            call.call();
        } catch (ClaimRefusedException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a claim refusal, got " + t, t);
        }
        throw new AssertionError("expected a claim refusal, the claim succeeded");
    }

    /** The real registry, with something else writing the record just before each conditional update. */
    private record Interfering(OwnershipRegistry delegate, java.util.function.Consumer<String> beforeUpdate)
            implements OwnershipRegistry {

        @Override
        public OwnershipOutcome register(NewOwnership device) {
            return delegate.register(device);
        }

        @Override
        public Optional<Ownership> find(String registrationId) {
            return delegate.find(registrationId);
        }

        @Override
        public Ownership update(Ownership updated) {
            beforeUpdate.accept(updated.registrationId());
            return delegate.update(updated);
        }

        @Override
        public Ownership transfer(TransferRequest request) {
            return delegate.transfer(request);
        }

        @Override
        public List<OwnershipTransfer> history(String registrationId) {
            return delegate.history(registrationId);
        }

        @Override
        public OwnershipPage ownedBy(String owner, Optional<String> afterRegistrationId, int limit) {
            return delegate.ownedBy(owner, afterRegistrationId, limit);
        }

        @Override
        public boolean remove(String registrationId, long expectedVersion) {
            return delegate.remove(registrationId, expectedVersion);
        }
    }
}
