package io.multiscope.device.internal;

import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProvider;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderSymmetricKey;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderX509;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How the device proves who it is, to the provisioning API and to DPS alike: a symmetric key (SAS tokens) or an X.509
 * certificate (mutual TLS, registration id = the certificate's common name).
 */
public abstract class DeviceCredentials {

    private DeviceCredentials() {
    }

    /** A device with its own symmetric key (individual, or already derived from a group key at the factory). */
    public static DeviceCredentials symmetricKey(String registrationId, String deviceKeyBase64, String description) {
        return new SymmetricKey(registrationId, deviceKeyBase64, description);
    }

    /** A device with a certificate (and its intermediates) and the matching private key. */
    public static DeviceCredentials x509(X509Certificate certificate, PrivateKey key,
            List<X509Certificate> intermediates, String registrationId) {
        return new X509(certificate, key, intermediates, registrationId);
    }

    public abstract String registrationId();

    /** The {@code Authorization} header for {@code resource}, or empty when TLS client authentication does it. */
    public abstract Optional<String> authorization(String resource, Instant expiresAt);

    /** The certificate chain presented in TLS, empty for a symmetric-key device. */
    public abstract List<X509Certificate> clientChain();

    /** The private key for TLS client authentication, or null. */
    public abstract PrivateKey clientKey();

    /** The Azure SDK's view of these credentials, trusting what {@code tls} trusts. */
    public abstract SecurityProvider securityProvider(SSLContext tls);

    /** For messages: "symmetric key", "X.509 certificate CN=...". */
    public abstract String describe();

    /**
     * A key for one purpose derived from the device's symmetric key ({@code HMAC-SHA256(deviceKey, utf8(purpose))}),
     * so the device key itself signs nothing but SAS tokens; empty for an X.509 device, which has no shared secret.
     */
    public abstract Optional<byte[]> derivedKey(String purpose);

    private static final class SymmetricKey extends DeviceCredentials {
        private final String registrationId;
        private final String key;
        private final String description;

        SymmetricKey(String registrationId, String key, String description) {
            this.registrationId = registrationId;
            this.key = key;
            this.description = description;
        }

        @Override
        public String registrationId() {
            return registrationId;
        }

        @Override
        public Optional<String> authorization(String resource, Instant expiresAt) {
            return Optional.of(SasTokens.token(resource, key, expiresAt.getEpochSecond()));
        }

        @Override
        public List<X509Certificate> clientChain() {
            return List.of();
        }

        @Override
        public PrivateKey clientKey() {
            return null;
        }

        @Override
        public SecurityProvider securityProvider(SSLContext tls) {
            return new SdkSymmetricKey(key, registrationId, tls);
        }

        @Override
        public String describe() {
            return description;
        }

        @Override
        public Optional<byte[]> derivedKey(String purpose) {
            return Optional.of(SasTokens.hmac(Base64.getDecoder().decode(key),
                    purpose.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String toString() {
            // Never the key.
            return "SymmetricKey[" + registrationId + "]";
        }
    }

    private static final class X509 extends DeviceCredentials {
        private final X509Certificate certificate;
        private final PrivateKey key;
        private final List<X509Certificate> intermediates;
        private final String registrationId;

        X509(X509Certificate certificate, PrivateKey key, List<X509Certificate> intermediates,
                String registrationId) {
            this.certificate = certificate;
            this.key = key;
            this.intermediates = List.copyOf(intermediates);
            this.registrationId = registrationId;
        }

        @Override
        public String registrationId() {
            return registrationId;
        }

        @Override
        public Optional<String> authorization(String resource, Instant expiresAt) {
            return Optional.empty();
        }

        @Override
        public List<X509Certificate> clientChain() {
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(certificate);
            chain.addAll(intermediates);
            return chain;
        }

        @Override
        public PrivateKey clientKey() {
            return key;
        }

        @Override
        public SecurityProvider securityProvider(SSLContext tls) {
            return new SdkX509(this, tls);
        }

        @Override
        public String describe() {
            return "X.509 certificate CN=" + registrationId;
        }

        @Override
        public Optional<byte[]> derivedKey(String purpose) {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "X509[" + registrationId + "]";
        }
    }

    /**
     * The SDK's symmetric-key provider with this device's TLS context: the SDK's own uses the JVM's default trust
     * store, and the provider is the only place the SDK takes TLS settings from.
     */
    private static final class SdkSymmetricKey extends SecurityProviderSymmetricKey {
        private final SSLContext tls;

        SdkSymmetricKey(String keyBase64, String registrationId, SSLContext tls) {
            // The SDK wants the UTF-8 bytes of the base64 text, not the decoded key.
            super(keyBase64.getBytes(StandardCharsets.UTF_8), registrationId);
            this.tls = tls;
        }

        @Override
        public SSLContext getSSLContext() {
            return tls;
        }
    }

    /** The SDK's X.509 provider presenting the device's chain in this device's TLS context. */
    private static final class SdkX509 extends SecurityProviderX509 {
        private final X509 credentials;
        private final SSLContext tls;

        SdkX509(X509 credentials, SSLContext tls) {
            this.credentials = credentials;
            this.tls = tls;
        }

        @Override
        public String getClientCertificateCommonName() {
            return credentials.registrationId;
        }

        @Override
        public X509Certificate getClientCertificate() {
            return credentials.certificate;
        }

        @Override
        public Key getClientPrivateKey() {
            return credentials.key;
        }

        @Override
        public Collection<X509Certificate> getIntermediateCertificatesChain() {
            return credentials.intermediates;
        }

        @Override
        public SSLContext getSSLContext() {
            return tls;
        }
    }
}
