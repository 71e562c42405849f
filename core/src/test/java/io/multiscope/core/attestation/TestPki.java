package io.multiscope.core.attestation;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Just enough PKI for the X.509 attestation tests: EC P-256 CAs and device certificates. */
final class TestPki {

    static final Instant NOT_BEFORE = Instant.parse("2025-01-01T00:00:00Z");
    static final Instant NOT_AFTER = Instant.parse("2030-01-01T00:00:00Z");

    private static final AtomicLong SERIAL = new AtomicLong(1000);

    /** A certificate and its key pair. */
    record Issued(X509Certificate certificate, KeyPair keys) {
        X500Name name() {
            return X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        }
    }

    private TestPki() {
    }

    static Issued rootCa(String commonName) {
        KeyPair keys = keyPair();
        return issue(cn(commonName), keys, cn(commonName), keys, true, NOT_BEFORE, NOT_AFTER);
    }

    static Issued intermediateCa(String commonName, Issued issuer) {
        return issue(cn(commonName), keyPair(), issuer.name(), issuer.keys(), true, NOT_BEFORE, NOT_AFTER);
    }

    static Issued device(String commonName, Issued issuer) {
        return device(commonName, issuer, NOT_BEFORE, NOT_AFTER);
    }

    static Issued device(String commonName, Issued issuer, Instant notBefore, Instant notAfter) {
        return issue(cn(commonName), keyPair(), issuer.name(), issuer.keys(), false, notBefore, notAfter);
    }

    /** A device certificate with an arbitrary subject (several or no common names). */
    static Issued device(X500Name subject, Issued issuer) {
        return issue(subject, keyPair(), issuer.name(), issuer.keys(), false, NOT_BEFORE, NOT_AFTER);
    }

    static X500Name cn(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }

    private static Issued issue(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
            boolean ca, Instant notBefore, Instant notAfter) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca
                    ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
            return new Issued(certificate, subjectKeys);
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
