package io.multiscope.core.attestation;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A device whose credential was verified.
 *
 * @param registrationId the registration id, normalised to lower case
 * @param tenant the tenant the credential belongs to, when the attestation knows it (the group key or CA that matched)
 * @param method how the device proved itself: {@link #SYMMETRIC_KEY}, {@link #X509} or a custom attestation's name
 * @param claims details of the proof for logs and audit (which key, the certificate's subject...); never secrets
 */
public record AttestedIdentity(String registrationId, Optional<String> tenant, String method,
        Map<String, String> claims) {

    /** A DPS-style SAS token signed with a symmetric key. */
    public static final String SYMMETRIC_KEY = "symmetric-key";
    /** An X.509 client certificate. */
    public static final String X509 = "x509";

    public AttestedIdentity {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(method, "method");
        claims = Map.copyOf(Objects.requireNonNull(claims, "claims"));
    }
}
