package io.multiscope.testkit;

import io.multiscope.testkit.internal.certs.Pem;
import java.security.cert.X509Certificate;

/** PEM text of a certificate, for the service SDK's X.509 attestation factories. */
final class TestCertificatesPem {

    private TestCertificatesPem() {
    }

    static String of(X509Certificate certificate) {
        return Pem.encode(certificate);
    }
}
