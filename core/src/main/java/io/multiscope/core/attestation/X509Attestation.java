package io.multiscope.core.attestation;

import io.multiscope.core.RegistrationIds;
import io.multiscope.core.internal.Untrusted;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Verifies a device's TLS client certificate chain (mutual TLS), as a DPS X.509 enrollment group does: the chain must
 * lead, by PKIX path validation, to one of the configured CA certificates; every certificate of it must be valid at
 * the injected clock's time; the leaf must be a device certificate (not a CA) whose subject common name is the
 * registration id (case-insensitive, as DPS ids are). A CA may be mapped to a tenant, which then becomes the tenant of
 * the devices it vouches for.
 *
 * <p>Revocation is not checked: DPS does not check it either (a compromised device is disabled in the enrollment, here
 * by deprovisioning it). Validating here, and not only in the TLS handshake, keeps the trusted CAs of device
 * attestation separate from whatever the server's TLS trust store holds.
 */
public final class X509Attestation implements Attestation {

    private final Map<X509Certificate, Optional<String>> tenantsByCa;
    private final Set<TrustAnchor> anchors;
    private final Clock clock;

    private X509Attestation(Builder b) {
        this.tenantsByCa = Map.copyOf(b.tenantsByCa);
        this.anchors = b.tenantsByCa.keySet().stream().map(ca -> new TrustAnchor(ca, null))
                .collect(Collectors.toUnmodifiableSet());
        this.clock = b.clock;
    }

    /** Trusts devices whose chain leads to one of these CA certificates (no tenants); the system clock. */
    public static X509Attestation trusting(X509Certificate... trustedCas) {
        return trusting(List.of(trustedCas));
    }

    /** Trusts devices whose chain leads to one of these CA certificates (no tenants); the system clock. */
    public static X509Attestation trusting(Collection<X509Certificate> trustedCas) {
        Builder builder = builder();
        trustedCas.forEach(builder::trustedCa);
        return builder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public boolean handles(AttestationRequest request) {
        return !request.clientCertificateChain().isEmpty();
    }

    @Override
    public String expectedCredential() {
        return "a client certificate (mutual TLS) whose common name is the registration id";
    }

    @Override
    public AttestedIdentity verify(AttestationRequest request) {
        Objects.requireNonNull(request, "request");
        String sentId = request.registrationId();
        String id = RegistrationIds.normalise(sentId);
        String device = "device '" + sentId + "'";
        List<X509Certificate> chain = request.clientCertificateChain();
        if (chain.isEmpty()) {
            throw new AttestationException(AttestationException.AUTHENTICATION_REQUIRED, device
                    + " presented no client certificate; expected " + expectedCredential(), sentId);
        }
        X509Certificate leaf = chain.get(0);
        if (leaf.getBasicConstraints() != -1 || tenantsByCa.containsKey(leaf)) {
            throw new AttestationException(AttestationException.UNTRUSTED_CERTIFICATE, device
                    + " presented a CA certificate (" + subject(leaf) + "), not a device certificate", sentId);
        }
        TrustAnchor anchor = validatePath(chain, sentId, device);
        checkCommonName(leaf, sentId, device);

        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("subject", leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
        claims.put("issuer", leaf.getIssuerX500Principal().getName(X500Principal.RFC2253));
        claims.put("serialNumber", leaf.getSerialNumber().toString(16));
        claims.put("thumbprintSha256", thumbprint(leaf));
        claims.put("notAfter", leaf.getNotAfter().toInstant().toString());
        claims.put("trustedCa", anchor.getTrustedCert().getSubjectX500Principal().getName(X500Principal.RFC2253));
        return new AttestedIdentity(id, tenantsByCa.get(anchor.getTrustedCert()), AttestedIdentity.X509, claims);
    }

    /** PKIX validation at the clock's time; returns the trust anchor the chain leads to. */
    private TrustAnchor validatePath(List<X509Certificate> chain, String sentId, String device) {
        // Clients may send the CA itself at the end of the chain; the path to validate stops below it.
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate certificate : chain) {
            if (tenantsByCa.containsKey(certificate)) {
                break;
            }
            path.add(certificate);
        }
        try {
            CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(clock.instant()));
            PKIXCertPathValidatorResult result =
                    (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
            return result.getTrustAnchor();
        } catch (CertPathValidatorException e) {
            throw refusal(e, path, sentId, device);
        } catch (GeneralSecurityException e) {
            throw new AttestationException(AttestationException.UNTRUSTED_CERTIFICATE, "the client certificate chain "
                    + "of " + device + " could not be validated: " + Untrusted.quote(String.valueOf(e.getMessage())),
                    sentId);
        }
    }

    private AttestationException refusal(CertPathValidatorException e, List<X509Certificate> path, String sentId,
            String device) {
        int index = e.getIndex();
        X509Certificate culprit = index >= 0 && index < path.size() ? path.get(index) : path.get(0);
        String which = culprit == path.get(0) ? "the client certificate of " + device + " (" + subject(culprit) + ")"
                : "certificate " + index + " of the chain of " + device + " (" + subject(culprit) + ")";
        if (e.getReason() == BasicReason.EXPIRED) {
            return new AttestationException(AttestationException.CERTIFICATE_EXPIRED, which + " expired at "
                    + culprit.getNotAfter().toInstant(), sentId);
        }
        if (e.getReason() == BasicReason.NOT_YET_VALID) {
            return new AttestationException(AttestationException.CERTIFICATE_NOT_YET_VALID, which
                    + " is not valid before " + culprit.getNotBefore().toInstant(), sentId);
        }
        return new AttestationException(AttestationException.UNTRUSTED_CERTIFICATE, "the client certificate of "
                + device + " (" + subject(path.get(0)) + ", issued by " + issuer(path.get(path.size() - 1))
                + ") does not chain to a trusted CA: " + Untrusted.quote(String.valueOf(e.getMessage())), sentId);
    }

    private static void checkCommonName(X509Certificate leaf, String sentId, String device) {
        List<String> names = commonNames(leaf.getSubjectX500Principal());
        if (names.size() == 1 && names.get(0).equalsIgnoreCase(sentId)) {
            return;
        }
        String found = names.isEmpty() ? "has no common name"
                : names.size() > 1 ? "names several common names (" + subject(leaf) + ")"
                : "is for " + Untrusted.quote("CN=" + names.get(0));
        throw new AttestationException(AttestationException.WRONG_DEVICE, "the client certificate presented by "
                + device + " " + found + "; its subject common name must be the registration id", sentId);
    }

    private static List<String> commonNames(X500Principal principal) {
        try {
            List<String> names = new ArrayList<>();
            for (Rdn rdn : new LdapName(principal.getName(X500Principal.RFC2253)).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    names.add(String.valueOf(rdn.getValue()));
                }
            }
            return names;
        } catch (InvalidNameException e) {
            return List.of(); // an RFC 2253 name from X500Principal always parses; if not, there is no usable CN
        }
    }

    private static String subject(X509Certificate certificate) {
        return Untrusted.quote(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
    }

    private static String issuer(X509Certificate certificate) {
        return Untrusted.quote(certificate.getIssuerX500Principal().getName(X500Principal.RFC2253));
    }

    private static String thumbprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a certificate that already passed validation", e);
        }
    }

    /** Builds an {@link X509Attestation}; at least one trusted CA is required, and each CA only once. */
    public static final class Builder {
        private final Map<X509Certificate, Optional<String>> tenantsByCa = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Trusts devices whose chain leads to {@code ca}, with no tenant. */
        public Builder trustedCa(X509Certificate ca) {
            return add(ca, Optional.empty());
        }

        /** Trusts devices whose chain leads to {@code ca}; they belong to {@code tenant}. */
        public Builder tenantCa(String tenant, X509Certificate ca) {
            Objects.requireNonNull(tenant, "tenant");
            if (tenant.isBlank()) {
                throw new IllegalArgumentException("tenant must not be blank");
            }
            return add(ca, Optional.of(tenant));
        }

        /** The time at which certificates must be valid. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @throws IllegalArgumentException if no CA is trusted */
        public X509Attestation build() {
            if (tenantsByCa.isEmpty()) {
                throw new IllegalArgumentException("X509Attestation needs at least one trusted CA certificate");
            }
            return new X509Attestation(this);
        }

        private Builder add(X509Certificate ca, Optional<String> tenant) {
            Objects.requireNonNull(ca, "ca");
            if (tenantsByCa.containsKey(ca)) {
                throw new IllegalArgumentException("the CA " + subject(ca) + " is already trusted"
                        + tenantsByCa.get(ca).map(t -> " for tenant '" + t + "'").orElse(""));
            }
            tenantsByCa.put(ca, tenant);
            return this;
        }
    }
}
