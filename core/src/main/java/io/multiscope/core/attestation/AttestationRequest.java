package io.multiscope.core.attestation;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a device presented to prove who it is.
 *
 * @param registrationId the registration id as the device sent it (not yet validated or normalised)
 * @param authorization the {@code Authorization} header value, if any (a SAS token)
 * @param clientCertificateChain the TLS client certificate chain, leaf first; empty without mutual TLS
 */
public record AttestationRequest(String registrationId, Optional<String> authorization,
        List<X509Certificate> clientCertificateChain) {

    public AttestationRequest {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(authorization, "authorization");
        clientCertificateChain = List.copyOf(Objects.requireNonNull(clientCertificateChain, "clientCertificateChain"));
    }

    /** A request carrying an {@code Authorization} header. */
    public static AttestationRequest withAuthorization(String registrationId, String authorization) {
        return new AttestationRequest(registrationId, Optional.of(authorization), List.of());
    }

    /** A request made over mutual TLS with this client certificate chain (leaf first). */
    public static AttestationRequest withCertificates(String registrationId, List<X509Certificate> chain) {
        return new AttestationRequest(registrationId, Optional.empty(), chain);
    }

    /** Never prints the {@code Authorization} value: it is a credential. */
    @Override
    public String toString() {
        return "AttestationRequest[registrationId=" + registrationId + ", authorization="
                + (authorization.isPresent() ? "(present)" : "(none)") + ", clientCertificates="
                + clientCertificateChain.size() + "]";
    }
}
