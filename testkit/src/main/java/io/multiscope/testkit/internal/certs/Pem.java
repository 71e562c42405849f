package io.multiscope.testkit.internal.certs;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;

/** PEM text for certificates, in and out. */
public final class Pem {

    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String END = "-----END CERTIFICATE-----";

    private Pem() {
    }

    public static String encode(X509Certificate certificate) {
        try {
            String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded());
            return BEGIN + "\n" + body + "\n" + END + "\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    /**
     * Reads one certificate given either as PEM or as bare base64 DER, the two forms the DPS service API accepts.
     *
     * @throws IllegalArgumentException saying why the text is not a certificate
     */
    public static X509Certificate decode(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("certificate is empty");
        }
        String body = text.replace(BEGIN, "").replace(END, "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("certificate is neither PEM nor base64 DER");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("certificate cannot be parsed: " + e.getMessage());
        }
    }
}
