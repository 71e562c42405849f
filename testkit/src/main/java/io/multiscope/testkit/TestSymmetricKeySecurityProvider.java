package io.multiscope.testkit;

import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderSymmetricKey;
import io.multiscope.core.attestation.SasToken;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The Azure SDK's symmetric-key {@code SecurityProvider}, trusting a given SSLContext (typically the test CA)
 * instead of the JVM's default trust store. The SDK takes its TLS settings only from the security provider, so this
 * is how a device client trusts the emulator without touching JVM-wide settings.
 */
public final class TestSymmetricKeySecurityProvider extends SecurityProviderSymmetricKey {

    private final SSLContext sslContext;

    /**
     * @param deviceKeyBase64 the device's own key (for a group device, the derived key)
     * @param sslContext the TLS context the SDK will use
     */
    public TestSymmetricKeySecurityProvider(String registrationId, String deviceKeyBase64, SSLContext sslContext) {
        super(Objects.requireNonNull(deviceKeyBase64, "deviceKeyBase64").getBytes(StandardCharsets.UTF_8),
                registrationId);
        this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
    }

    /** A device with its own key (individual enrollment), trusting {@code certificates}' root CA. */
    public static TestSymmetricKeySecurityProvider forDevice(String registrationId, String deviceKeyBase64,
            TestCertificates certificates) {
        return new TestSymmetricKeySecurityProvider(registrationId, deviceKeyBase64, certificates.clientSslContext());
    }

    /**
     * A device of a symmetric-key enrollment group: its key is derived from {@code groupKeyBase64} and the
     * registration id, as DPS derives it.
     */
    public static TestSymmetricKeySecurityProvider forGroupDevice(String registrationId, String groupKeyBase64,
            TestCertificates certificates) {
        return forDevice(registrationId, SasToken.deriveDeviceKey(groupKeyBase64, registrationId), certificates);
    }

    @Override
    public SSLContext getSSLContext() {
        return sslContext;
    }
}
