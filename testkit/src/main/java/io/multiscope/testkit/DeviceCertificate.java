package io.multiscope.testkit;

import io.multiscope.testkit.internal.certs.Pem;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A device's X.509 identity for tests: a leaf certificate whose common name is the registration id, its private key,
 * and the intermediate CA certificates the device presents with it (empty when the leaf is signed by the root).
 */
public final class DeviceCertificate {

    private final String registrationId;
    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final List<X509Certificate> intermediates;

    DeviceCertificate(String registrationId, X509Certificate certificate, PrivateKey privateKey,
            List<X509Certificate> intermediates) {
        this.registrationId = Objects.requireNonNull(registrationId, "registrationId");
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.intermediates = List.copyOf(intermediates);
    }

    /** The registration id, which is also the certificate's common name. */
    public String registrationId() {
        return registrationId;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /** Intermediate CA certificates between the leaf and the root, nearest first. */
    public List<X509Certificate> intermediates() {
        return intermediates;
    }

    /** The leaf followed by its intermediates: what the device sends in the TLS handshake. */
    public List<X509Certificate> chain() {
        List<X509Certificate> chain = new ArrayList<>(intermediates.size() + 1);
        chain.add(certificate);
        chain.addAll(intermediates);
        return List.copyOf(chain);
    }

    /** The leaf as PEM, the form the service API takes for an individual X.509 enrollment. */
    public String certificatePem() {
        return Pem.encode(certificate);
    }

    @Override
    public String toString() {
        return "DeviceCertificate[" + registrationId + ", issuer=" + certificate.getIssuerX500Principal().getName()
                + ", notAfter=" + certificate.getNotAfter().toInstant() + "]";
    }
}
