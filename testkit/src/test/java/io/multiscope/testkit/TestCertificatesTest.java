package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;

class TestCertificatesTest {

    static final TestCertificates PKI = TestCertificates.create();

    @Test
    void deviceCertificatesCarryTheRegistrationIdAsCommonName() throws Exception {
        DeviceCertificate device = PKI.device("dev-42");

        assertThat(device.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=dev-42");
        device.certificate().checkValidity();
        device.certificate().verify(PKI.caCertificate().getPublicKey());
        assertThat(device.chain()).containsExactly(device.certificate());
        assertThat(device.certificatePem()).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void intermediateChainAndVariants() throws Exception {
        DeviceCertificate viaIntermediate = PKI.deviceViaIntermediate("dev-43");
        viaIntermediate.certificate().verify(PKI.intermediateCertificate().getPublicKey());
        PKI.intermediateCertificate().verify(PKI.caCertificate().getPublicKey());
        assertThat(viaIntermediate.chain()).containsExactly(viaIntermediate.certificate(),
                PKI.intermediateCertificate());

        assertThatThrownBy(() -> PKI.expiredDevice("dev-44").certificate().checkValidity())
                .isInstanceOf(CertificateExpiredException.class);

        X509Certificate wrong = PKI.deviceFromOtherCa("dev-45").certificate();
        assertThat(wrong.getIssuerX500Principal()).isEqualTo(PKI.otherCaCertificate().getSubjectX500Principal());
        assertThatThrownBy(() -> wrong.verify(PKI.caCertificate().getPublicKey())).isNotNull();
    }

    @Test
    void serverCertificateCoversLocalhostLoopbackAndDpsHostNames() throws Exception {
        SSLContext server = PKI.serverSslContext(List.of("dps-x.example.net"));
        SSLEngine engine = server.createSSLEngine();
        assertThat(engine).isNotNull();

        X509KeyManager keys = (X509KeyManager) PKI.serverKeyManagers(List.of("dps-x.example.net"))[0];
        X509Certificate cert = keys.getCertificateChain("key")[0];
        List<String> names = cert.getSubjectAlternativeNames().stream().map(san -> san.get(1).toString()).toList();
        assertThat(names).contains("localhost", "127.0.0.1", TestCertificates.REALISTIC_DPS_HOST,
                TestCertificates.GLOBAL_DPS_HOST, "*.azure-devices-provisioning.net", "dps-x.example.net");
        cert.verify(PKI.caCertificate().getPublicKey());
    }

    @Test
    void sharedPkiIsOnePerJvm() throws Exception {
        assertThat(TestCertificates.shared()).isSameAs(TestCertificates.shared());
        assertThat(TestCertificates.shared().trustStore().containsAlias("multiscope-test-root")).isTrue();
    }
}
