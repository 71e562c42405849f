package io.multiscope.testkit;

import io.multiscope.testkit.internal.certs.CertificateIssuer;
import io.multiscope.testkit.internal.certs.CertificateIssuer.Issued;
import io.multiscope.testkit.internal.certs.CertificateIssuer.Use;
import io.multiscope.testkit.internal.certs.Pem;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A throw-away PKI for tests: a root CA, an intermediate CA under it, a second unrelated CA (for "wrong CA" cases),
 * server certificates for the emulator, and device leaf certificates whose common name is the registration id.
 *
 * <p>Nothing is written to disk unless asked. Instances are thread-safe. {@link #shared()} gives one PKI per JVM so
 * that every emulator and client in a test run trusts the same root.
 */
public final class TestCertificates {

    /** A realistic DPS host name that every server certificate covers, besides {@code localhost} and loopback IPs. */
    public static final String REALISTIC_DPS_HOST = "test-dps.azure-devices-provisioning.net";

    /** The DPS global device endpoint host name, also covered by server certificates. */
    public static final String GLOBAL_DPS_HOST = "global.azure-devices-provisioning.net";

    private static final Duration VALIDITY = Duration.ofDays(3650);
    // In-memory stores only; PKCS12 wants some password to protect the key entry.
    private static final char[] KEY_PASSWORD = "multiscope".toCharArray();

    private static volatile TestCertificates shared;

    private final Issued root;
    private final Issued intermediate;
    private final Issued otherRoot;

    private TestCertificates() {
        Instant now = Instant.now();
        Instant notBefore = now.minus(Duration.ofDays(1));
        this.root = CertificateIssuer.selfSignedCa("Multiscope Test Root CA", notBefore, now.plus(VALIDITY));
        this.intermediate = CertificateIssuer.issue(root, "Multiscope Test Intermediate CA", Use.CA, notBefore,
                now.plus(VALIDITY), List.of());
        this.otherRoot = CertificateIssuer.selfSignedCa("Untrusted Test Root CA", notBefore, now.plus(VALIDITY));
    }

    /** A new PKI with its own root CA. */
    public static TestCertificates create() {
        return new TestCertificates();
    }

    /** One PKI for the whole JVM, created on first use. */
    public static TestCertificates shared() {
        TestCertificates result = shared;
        if (result == null) {
            synchronized (TestCertificates.class) {
                result = shared;
                if (result == null) {
                    result = new TestCertificates();
                    shared = result;
                }
            }
        }
        return result;
    }

    /** The root CA every certificate issued here chains to, except the {@code FromOtherCa} variants. */
    public X509Certificate caCertificate() {
        return root.certificate();
    }

    public String caPem() {
        return Pem.encode(root.certificate());
    }

    /** The intermediate CA (signed by the root) that signs {@link #deviceViaIntermediate(String)} leaves. */
    public X509Certificate intermediateCertificate() {
        return intermediate.certificate();
    }

    /** A root CA unrelated to {@link #caCertificate()}; nothing trusts it unless a test says so. */
    public X509Certificate otherCaCertificate() {
        return otherRoot.certificate();
    }

    /** A device certificate signed directly by the root CA. */
    public DeviceCertificate device(String registrationId) {
        return issueDevice(root, registrationId, Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)), List.of());
    }

    /** A device certificate signed by the intermediate CA; the device presents the intermediate too. */
    public DeviceCertificate deviceViaIntermediate(String registrationId) {
        return issueDevice(intermediate, registrationId, Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)), List.of(intermediate.certificate()));
    }

    /** A device certificate signed by the root CA that expired yesterday. */
    public DeviceCertificate expiredDevice(String registrationId) {
        return issueDevice(root, registrationId, Instant.now().minus(Duration.ofDays(30)),
                Instant.now().minus(Duration.ofDays(1)), List.of());
    }

    /** A device certificate signed by {@link #otherCaCertificate()}, i.e. by the wrong CA. */
    public DeviceCertificate deviceFromOtherCa(String registrationId) {
        return issueDevice(otherRoot, registrationId, Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)), List.of());
    }

    private static DeviceCertificate issueDevice(Issued issuer, String registrationId, Instant notBefore,
            Instant notAfter, List<X509Certificate> intermediates) {
        Objects.requireNonNull(registrationId, "registrationId");
        Issued leaf = CertificateIssuer.issue(issuer, registrationId, Use.CLIENT, notBefore, notAfter, List.of());
        return new DeviceCertificate(registrationId, leaf.certificate(), leaf.privateKey(), intermediates);
    }

    /**
     * An SSLContext for a TLS server whose certificate covers {@code localhost}, {@code 127.0.0.1}, {@code ::1},
     * {@value #GLOBAL_DPS_HOST}, {@value #REALISTIC_DPS_HOST}, {@code *.azure-devices-provisioning.net} and
     * {@code extraHostNames}, signed by the root CA. It requests no client certificate.
     */
    public SSLContext serverSslContext(Collection<String> extraHostNames) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(serverKeyManagers(extraHostNames), null, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build SSLContext", e);
        }
    }

    /**
     * Key managers presenting a fresh server certificate as described for {@link #serverSslContext}, for servers
     * that need their own trust settings.
     */
    public KeyManager[] serverKeyManagers(Collection<String> extraHostNames) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1", GLOBAL_DPS_HOST,
                REALISTIC_DPS_HOST, "*.azure-devices-provisioning.net"));
        names.addAll(extraHostNames);
        Instant now = Instant.now();
        Issued server = CertificateIssuer.issue(root, "localhost", Use.SERVER, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(825)), new ArrayList<>(names));
        return keyManagers(keyStore(server.certificate(), server.privateKey(), List.of(root.certificate())));
    }

    /** An SSLContext for clients: trusts the root CA only, presents no certificate. */
    public SSLContext clientSslContext() {
        return sslContext(null, trustManagers());
    }

    /** An SSLContext for a device doing X.509 attestation: presents {@code device}'s chain, trusts the root CA. */
    public SSLContext clientSslContext(DeviceCertificate device) {
        Objects.requireNonNull(device, "device");
        return sslContext(keyStore(device.certificate(), device.privateKey(), device.intermediates()),
                trustManagers());
    }

    /** A trust manager that trusts the root CA only. */
    public X509TrustManager trustManager() {
        return (X509TrustManager) trustManagers()[0];
    }

    /** A PKCS12 trust store holding the root CA, e.g. for {@code -Djavax.net.ssl.trustStore}. */
    public KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("multiscope-test-root", root.certificate());
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build trust store", e);
        }
    }

    /** Writes {@link #trustStore()} to {@code file}, protected with {@code password}. */
    public void writeTrustStore(Path file, char[] password) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            trustStore().store(out, password);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write trust store " + file, e);
        }
    }

    private TrustManager[] trustManagers() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore());
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build trust manager", e);
        }
    }

    private static KeyStore keyStore(X509Certificate leaf, java.security.PrivateKey key,
            List<X509Certificate> rest) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            List<Certificate> chain = new ArrayList<>();
            chain.add(leaf);
            chain.addAll(rest);
            store.setKeyEntry("key", key, KEY_PASSWORD, chain.toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build key store", e);
        }
    }

    private static KeyManager[] keyManagers(KeyStore keys) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, KEY_PASSWORD);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build key managers", e);
        }
    }

    private static SSLContext sslContext(KeyStore keys, TrustManager[] trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keyManagers(keys), trust, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build SSLContext", e);
        }
    }
}
