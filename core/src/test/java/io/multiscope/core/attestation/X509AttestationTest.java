package io.multiscope.core.attestation;

import static io.multiscope.core.attestation.TestPki.device;
import static io.multiscope.core.attestation.TestPki.intermediateCa;
import static io.multiscope.core.attestation.TestPki.rootCa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.multiscope.core.attestation.TestPki.Issued;
import io.multiscope.core.time.VirtualClock;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class X509AttestationTest {

    // Certificates are made once: key generation is the slow part.
    private static final Issued ROOT = rootCa("Acme Devices Root");
    private static final Issued INTERMEDIATE = intermediateCa("Acme Factory 7", ROOT);
    private static final Issued OTHER_ROOT = rootCa("Someone Else Root");
    private static final Issued DEVICE = device("sensor-0042", ROOT);

    private final VirtualClock clock = VirtualClock.create(); // 2026-01-01, inside every default validity

    private X509Attestation trustingRoot() {
        return X509Attestation.builder().trustedCa(ROOT.certificate()).clock(clock).build();
    }

    private static AttestationRequest request(String registrationId, Issued... chain) {
        return AttestationRequest.withCertificates(registrationId,
                java.util.Arrays.stream(chain).map(Issued::certificate).toList());
    }

    private static AttestationException refused(Attestation attestation, AttestationRequest request,
            String problemType) {
        AttestationException e = assertThrows(AttestationException.class, () -> attestation.verify(request));
        assertThat(e.problemType()).isEqualTo(problemType);
        assertThat(e.registrationId()).contains(request.registrationId());
        assertThat(e.getMessage()).contains("'" + request.registrationId() + "'");
        return e;
    }

    @Nested
    class Accepted {

        @Test
        void aDeviceCertificateFromTheTrustedCa() {
            AttestedIdentity identity = trustingRoot().verify(request("sensor-0042", DEVICE));

            assertThat(identity.registrationId()).isEqualTo("sensor-0042");
            assertThat(identity.method()).isEqualTo(AttestedIdentity.X509);
            assertThat(identity.tenant()).isEmpty();
            assertThat(identity.claims()).containsEntry("subject", "CN=sensor-0042")
                    .containsEntry("issuer", "CN=Acme Devices Root")
                    .containsEntry("trustedCa", "CN=Acme Devices Root")
                    .containsEntry("notAfter", "2030-01-01T00:00:00Z")
                    .containsKey("thumbprintSha256");
        }

        @Test
        void theCommonNameMatchesIgnoringCase() {
            Issued upper = device("SENSOR-0043", ROOT);
            assertThat(trustingRoot().verify(request("Sensor-0043", upper)).registrationId())
                    .isEqualTo("sensor-0043");
        }

        @Test
        void throughAnIntermediate() {
            Issued leaf = device("dev-9", INTERMEDIATE);
            assertThat(trustingRoot().verify(request("dev-9", leaf, INTERMEDIATE)).claims())
                    .containsEntry("issuer", "CN=Acme Factory 7");
        }

        @Test
        void aChainThatIncludesTheTrustedRoot() {
            Issued leaf = device("dev-9", INTERMEDIATE);
            assertThat(trustingRoot().verify(request("dev-9", leaf, INTERMEDIATE, ROOT)).registrationId())
                    .isEqualTo("dev-9");
        }

        @Test
        void trustingTheIntermediateDirectly() {
            Issued leaf = device("dev-9", INTERMEDIATE);
            X509Attestation attestation = X509Attestation.builder().trustedCa(INTERMEDIATE.certificate())
                    .clock(clock).build();
            assertThat(attestation.verify(request("dev-9", leaf, INTERMEDIATE)).claims())
                    .containsEntry("trustedCa", "CN=Acme Factory 7");
        }
    }

    @Nested
    class Refused {

        @Test
        void anEmptyChainAsksForACertificate() {
            AttestationException e = refused(trustingRoot(), request("dev-1"),
                    AttestationException.AUTHENTICATION_REQUIRED);
            assertThat(e.getMessage()).contains("no client certificate");
        }

        @Test
        void aCertificateFromAnUntrustedCa() {
            Issued stranger = device("dev-1", OTHER_ROOT);
            AttestationException e = refused(trustingRoot(), request("dev-1", stranger),
                    AttestationException.UNTRUSTED_CERTIFICATE);
            assertThat(e.getMessage()).contains("does not chain to a trusted CA").contains("CN=Someone Else Root");
        }

        @Test
        void aCertificateFromAnImpostorCaWithTheTrustedName() {
            Issued impostor = rootCa("Acme Devices Root"); // same name, different key
            refused(trustingRoot(), request("dev-1", device("dev-1", impostor)),
                    AttestationException.UNTRUSTED_CERTIFICATE);
        }

        @Test
        void aChainMissingItsIntermediate() {
            refused(trustingRoot(), request("dev-9", device("dev-9", INTERMEDIATE)),
                    AttestationException.UNTRUSTED_CERTIFICATE);
        }

        @Test
        void anExpiredCertificate() {
            Issued expired = device("dev-1", ROOT, Instant.parse("2024-01-01T00:00:00Z"),
                    Instant.parse("2025-12-01T00:00:00Z"));
            AttestationException e = refused(trustingRoot(), request("dev-1", expired),
                    AttestationException.CERTIFICATE_EXPIRED);
            assertThat(e.getMessage()).contains("expired at 2025-12-01T00:00:00Z");
        }

        @Test
        void aCertificateNotValidYet() {
            Issued early = device("dev-1", ROOT, Instant.parse("2026-06-01T00:00:00Z"), TestPki.NOT_AFTER);
            refused(trustingRoot(), request("dev-1", early), AttestationException.CERTIFICATE_NOT_YET_VALID);
        }

        @Test
        void validityFollowsTheInjectedClock() {
            X509Attestation attestation = trustingRoot();
            attestation.verify(request("sensor-0042", DEVICE));
            clock.advance(Duration.ofDays(5 * 365));
            refused(attestation, request("sensor-0042", DEVICE), AttestationException.CERTIFICATE_EXPIRED);
        }

        @Test
        void aCommonNameOfAnotherDevice() {
            AttestationException e = refused(trustingRoot(), request("sensor-0099", DEVICE),
                    AttestationException.WRONG_DEVICE);
            assertThat(e.getMessage()).contains("'CN=sensor-0042'");
        }

        @Test
        void noOrSeveralCommonNames() {
            Issued noCn = device(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Acme").build(), ROOT);
            refused(trustingRoot(), request("dev-1", noCn), AttestationException.WRONG_DEVICE);
            Issued twoCns = device(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "dev-1")
                    .addRDN(BCStyle.CN, "dev-2").build(), ROOT);
            refused(trustingRoot(), request("dev-1", twoCns), AttestationException.WRONG_DEVICE);
        }

        @Test
        void aCaCertificateIsNotADevice() {
            refused(trustingRoot(), request("acme-factory-7", TestPki.intermediateCa("acme-factory-7", ROOT)),
                    AttestationException.UNTRUSTED_CERTIFICATE);
            refused(trustingRoot(), request("dev-1", ROOT), AttestationException.UNTRUSTED_CERTIFICATE);
        }
    }

    @Nested
    class Tenants {

        @Test
        void theCaThatVouchedNamesTheTenant() {
            X509Attestation attestation = X509Attestation.builder().clock(clock)
                    .tenantCa("acme", ROOT.certificate())
                    .tenantCa("globex", OTHER_ROOT.certificate())
                    .build();
            assertThat(attestation.verify(request("sensor-0042", DEVICE)).tenant()).contains("acme");
            assertThat(attestation.verify(request("g-1", device("g-1", OTHER_ROOT))).tenant()).contains("globex");
            assertThat(attestation.verify(request("dev-9", device("dev-9", INTERMEDIATE), INTERMEDIATE)).tenant())
                    .contains("acme");
        }
    }

    @Nested
    class Validation {

        @Test
        void needsACa() {
            assertThatThrownBy(() -> X509Attestation.builder().build()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least one trusted CA");
            assertThatThrownBy(() -> X509Attestation.trusting(List.<X509Certificate>of()))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void refusesTheSameCaTwice() {
            assertThatThrownBy(() -> X509Attestation.builder().tenantCa("acme", ROOT.certificate())
                    .tenantCa("globex", ROOT.certificate())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'CN=Acme Devices Root' is already trusted for tenant 'acme'");
            assertThatThrownBy(() -> X509Attestation.builder().tenantCa(" ", ROOT.certificate()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenant must not be blank");
        }

        @Test
        void theFactoryTrustsWhatItIsGiven() {
            X509Attestation attestation = X509Attestation.trusting(OTHER_ROOT.certificate(), ROOT.certificate());
            assertThat(attestation.verify(request("sensor-0042", DEVICE)).registrationId()).isEqualTo("sensor-0042");
            assertThat(attestation.handles(request("x"))).isFalse();
            assertThat(attestation.handles(request("x", DEVICE))).isTrue();
            assertThat(attestation.handles(new AttestationRequest("x", Optional.of("token"), List.of()))).isFalse();
        }
    }
}
