package io.multiscope.core.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.attestation.TestPki.Issued;
import io.multiscope.core.time.VirtualClock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AttestationsTest {

    private static final Issued ROOT = TestPki.rootCa("Acme Devices Root");
    private static final Issued STRANGER_ROOT = TestPki.rootCa("Stranger Root");
    private static final String GROUP_KEY = Base64.getEncoder().encodeToString(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32});

    private final VirtualClock clock = VirtualClock.create();
    private final X509Attestation x509 = X509Attestation.builder().trustedCa(ROOT.certificate()).clock(clock).build();
    private final SymmetricKeyAttestation sas = SymmetricKeyAttestation.builder().groupKey(GROUP_KEY).clock(clock)
            .build();
    private final Attestation either = Attestations.anyOf(x509, sas);

    private String token(String id) {
        return SasToken.forDevice("multiscope/registrations/" + id, SasToken.deriveDeviceKey(GROUP_KEY, id),
                clock.instant().plusSeconds(600));
    }

    @Test
    void aCertificateChainGoesToX509() {
        Issued device = TestPki.device("dev-1", ROOT);
        AttestedIdentity identity = either.verify(AttestationRequest.withCertificates("dev-1",
                List.of(device.certificate())));
        assertThat(identity.method()).isEqualTo(AttestedIdentity.X509);
    }

    @Test
    void anAuthorizationHeaderGoesToSas() {
        AttestedIdentity identity = either.verify(AttestationRequest.withAuthorization("dev-1", token("dev-1")));
        assertThat(identity.method()).isEqualTo(AttestedIdentity.SYMMETRIC_KEY);
    }

    @Test
    void whenBothArePresentTheFirstListedWins() {
        Issued device = TestPki.device("dev-1", ROOT);
        AttestationRequest both = new AttestationRequest("dev-1", Optional.of(token("dev-1")),
                List.of(device.certificate()));
        assertThat(either.verify(both).method()).isEqualTo(AttestedIdentity.X509);
        assertThat(Attestations.anyOf(sas, x509).verify(both).method()).isEqualTo(AttestedIdentity.SYMMETRIC_KEY);
    }

    @Test
    void aRefusalIsFinalNotAFallThrough() {
        Issued stranger = TestPki.device("dev-1", STRANGER_ROOT);
        AttestationRequest both = new AttestationRequest("dev-1", Optional.of(token("dev-1")),
                List.of(stranger.certificate()));
        assertThatThrownBy(() -> either.verify(both)).isInstanceOf(AttestationException.class)
                .satisfies(e -> assertThat(((AttestationException) e).problemType())
                        .isEqualTo(AttestationException.UNTRUSTED_CERTIFICATE));
    }

    @Test
    void noCredentialListsWhatIsAccepted() {
        assertThatThrownBy(() -> either.verify(new AttestationRequest("dev-1", Optional.empty(), List.of())))
                .isInstanceOf(AttestationException.class)
                .hasMessageContaining("device 'dev-1'")
                .hasMessageContaining("a client certificate (mutual TLS)")
                .hasMessageContaining(" or a SAS token in the Authorization header")
                .satisfies(e -> assertThat(((AttestationException) e).problemType())
                        .isEqualTo(AttestationException.AUTHENTICATION_REQUIRED));
    }

    @Test
    void aCredentialOfAKindNotConfiguredIsNoCredential() {
        Attestation sasOnly = Attestations.anyOf(sas);
        Issued device = TestPki.device("dev-1", ROOT);
        assertThatThrownBy(() -> sasOnly.verify(AttestationRequest.withCertificates("dev-1",
                List.of(device.certificate())))).isInstanceOf(AttestationException.class)
                .satisfies(e -> assertThat(((AttestationException) e).problemType())
                        .isEqualTo(AttestationException.AUTHENTICATION_REQUIRED));
    }

    @Test
    void aBadRegistrationIdIsRefusedBeforeAnyCredential() {
        assertThatThrownBy(() -> either.verify(new AttestationRequest("", Optional.empty(), List.of())))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void needsAtLeastOne() {
        assertThatThrownBy(Attestations::anyOf).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one");
    }
}
