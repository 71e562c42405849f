package io.multiscope.testkit;

import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProviderX509;
import java.security.Key;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The Azure SDK's X.509 {@code SecurityProvider} for a {@link DeviceCertificate}: presents the device's chain in
 * the TLS handshake and trusts {@code certificates}' root CA instead of the JVM's default trust store (the SDK's own
 * X.509 provider always uses the default trust store).
 */
public final class TestX509SecurityProvider extends SecurityProviderX509 {

    private final DeviceCertificate device;
    private final SSLContext sslContext;

    public TestX509SecurityProvider(DeviceCertificate device, TestCertificates certificates) {
        this.device = Objects.requireNonNull(device, "device");
        this.sslContext = certificates.clientSslContext(device);
    }

    @Override
    public String getClientCertificateCommonName() {
        return device.registrationId();
    }

    @Override
    public X509Certificate getClientCertificate() {
        return device.certificate();
    }

    @Override
    public Key getClientPrivateKey() {
        return device.privateKey();
    }

    @Override
    public Collection<X509Certificate> getIntermediateCertificatesChain() {
        return device.intermediates();
    }

    @Override
    public SSLContext getSSLContext() {
        return sslContext;
    }
}
