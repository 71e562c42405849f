package io.multiscope.core.hardwareid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.AssignmentRequest;
import io.multiscope.core.AssignmentResult;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.attestation.AttestationException;
import io.multiscope.core.attestation.AttestationRequest;
import io.multiscope.core.attestation.Attestations;
import io.multiscope.core.attestation.AttestedIdentity;
import io.multiscope.core.attestation.HardwareIdAttestation;
import io.multiscope.core.attestation.SasToken;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HardwareIdAttestationTest {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final byte[] SECRET = "per-device secret of acme-1".getBytes(StandardCharsets.UTF_8);

    final InMemoryHardwareIdRegistry registry = new InMemoryHardwareIdRegistry();
    final HardwareIdAttestation attestation = HardwareIdAttestation.builder(registry)
            .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();

    HardwareIdAttestationTest() {
        registry.add(HardwareIdRecord.imported("acme-1", HardwareCredential.ofSecret(SECRET), "lot-1", NOW));
    }

    static AttestationRequest request(String id, String proof) {
        return AttestationRequest.withAuthorization(id, proof);
    }

    @Test
    void aDeviceProvesItsSecretWithAShortLivedHmacAndIsMarkedSeen() {
        String proof = HardwareIdProof.withSecret("ACME-1", SECRET, NOW.plus(Duration.ofMinutes(2)));

        AttestedIdentity identity = attestation.verify(request("ACME-1", proof));

        assertThat(identity.registrationId()).isEqualTo("acme-1");
        assertThat(identity.method()).isEqualTo(HardwareIdAttestation.METHOD);
        assertThat(identity.claims()).containsEntry("batch", "lot-1").containsEntry("credential", "SECRET_HASH");
        assertThat(registry.find("acme-1").orElseThrow().firstSeenAt()).contains(NOW);
        assertThat(proof).doesNotContain(new String(SECRET, StandardCharsets.UTF_8));
        assertThat(registry.neverSeen(Optional.empty(), 10)).isEmpty();
    }

    @Test
    void aDeviceWithAKeyPairSignsItsProof() throws Exception {
        for (String algorithm : new String[] {"EC", "Ed25519", "RSA"}) {
            KeyPair pair = KeyPairGenerator.getInstance(algorithm).generateKeyPair();
            String id = "key-" + algorithm.toLowerCase();
            registry.add(HardwareIdRecord.imported(id, HardwareCredential.publicKeyBase64(
                    Base64.getEncoder().encodeToString(pair.getPublic().getEncoded())), "lot-2", NOW));

            assertThat(attestation.verify(request(id, HardwareIdProof.withKey(id, pair.getPrivate(),
                    NOW.plusSeconds(60)))).registrationId()).isEqualTo(id);
            KeyPair other = KeyPairGenerator.getInstance(algorithm).generateKeyPair();
            assertThatThrownBy(() -> attestation.verify(request(id, HardwareIdProof.withKey(id, other.getPrivate(),
                    NOW.plusSeconds(60))))).isInstanceOfSatisfying(AttestationException.class,
                            e -> assertThat(e.problemType()).isEqualTo(AttestationException.INVALID_SIGNATURE));
        }
    }

    @Test
    void aProofReplayedAfterItExpiredOrForAnotherIdIsRefused() {
        String expired = HardwareIdProof.withSecret("acme-1", SECRET, NOW.minus(Duration.ofMinutes(6)));
        assertThatThrownBy(() -> attestation.verify(request("acme-1", expired)))
                .isInstanceOfSatisfying(AttestationException.class,
                        e -> assertThat(e.problemType()).isEqualTo(AttestationException.TOKEN_EXPIRED));

        String fresh = HardwareIdProof.withSecret("acme-1", SECRET, NOW.plusSeconds(60));
        assertThatThrownBy(() -> attestation.verify(request("acme-2", fresh)))
                .isInstanceOfSatisfying(AttestationException.class,
                        e -> assertThat(e.problemType()).isEqualTo(AttestationException.WRONG_DEVICE));
        // Rewriting the id inside the proof breaks the signature, which covers the id.
        String forged = fresh.replace("id=acme-1", "id=acme-2");
        registry.add(HardwareIdRecord.imported("acme-2", HardwareCredential.ofSecret(SECRET), "lot-1", NOW));
        assertThatThrownBy(() -> attestation.verify(request("acme-2", forged)))
                .isInstanceOfSatisfying(AttestationException.class,
                        e -> assertThat(e.problemType()).isEqualTo(AttestationException.INVALID_SIGNATURE));
        String tooLong = HardwareIdProof.withSecret("acme-1", SECRET, NOW.plus(Duration.ofDays(1)));
        assertThatThrownBy(() -> attestation.verify(request("acme-1", tooLong)))
                .isInstanceOfSatisfying(AttestationException.class,
                        e -> assertThat(e.problemType()).isEqualTo(AttestationException.TOKEN_LIFETIME_TOO_LONG));
    }

    @Test
    void unlistedIdsWrongSecretsAndRevokedIdsAreRefused() {
        String unlisted = HardwareIdProof.withSecret("acme-9", SECRET, NOW.plusSeconds(60));
        String wrongSecret = HardwareIdProof.withSecret("acme-1", "guess".getBytes(StandardCharsets.UTF_8),
                NOW.plusSeconds(60));
        AttestationException a = catchAttestation(request("acme-9", unlisted));
        AttestationException b = catchAttestation(request("acme-1", wrongSecret));
        assertThat(a.problemType()).isEqualTo(b.problemType()).isEqualTo(AttestationException.INVALID_SIGNATURE);

        registry.revoke("acme-1", NOW, "stolen");
        AttestationException revoked = catchAttestation(request("acme-1",
                HardwareIdProof.withSecret("acme-1", SECRET, NOW.plusSeconds(60))));
        assertThat(revoked.problemType()).isEqualTo(HardwareIdAttestation.REVOKED);
        assertThat(catchAttestation(request("acme-1", "HardwareId id=acme-1")).problemType())
                .isEqualTo(AttestationException.INVALID_TOKEN);
        assertThat(registry.find("acme-1").orElseThrow().firstSeenAt()).isEmpty();
    }

    @Test
    void worksWithPatternOneNextToSasTokens() {
        String groupKey = Base64.getEncoder().encodeToString("a group key of thirty-two bytes!".getBytes());
        ZeroTouchProvisioning service = ZeroTouchProvisioning.builder()
                .instance(DpsInstance.builder("dps-1").idScope("0ne0001").region("westeurope").build())
                .attestation(Attestations.anyOf(attestation, SymmetricKeyAttestation.withGroupKey(groupKey)))
                .build();

        // The hardware-id attestation's clock is fixed at NOW, so the proof is made for NOW.
        AssignmentResult hw = service.requestAssignment(AssignmentRequest.of(request("acme-1",
                HardwareIdProof.withSecret("acme-1", SECRET, NOW.plusSeconds(60)))));
        assertThat(hw).isInstanceOfSatisfying(AssignmentResult.Assigned.class,
                a -> assertThat(a.assignment().registrationId()).isEqualTo("acme-1"));

        String token = SasToken.forDevice(SasToken.deviceResource("multiscope", "sas-1"),
                SasToken.deriveDeviceKey(groupKey, "sas-1"), Instant.now().plusSeconds(600));
        assertThat(service.requestAssignment(AssignmentRequest.of(AttestationRequest.withAuthorization("sas-1",
                token)))).isInstanceOf(AssignmentResult.Assigned.class);
    }

    private AttestationException catchAttestation(AttestationRequest r) {
        try {
            attestation.verify(r);
        } catch (AttestationException e) {
            return e;
        }
        throw new AssertionError("expected a refusal");
    }
}
