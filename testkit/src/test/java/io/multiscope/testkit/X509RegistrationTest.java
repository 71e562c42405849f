package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class X509RegistrationTest {

    static final String SCOPE = "0ne0000X509";
    static DpsEmulator dps;
    static EmulatedDpsInstance instance;
    static TestCertificates pki;

    @BeforeAll
    static void start() {
        dps = DpsEmulator.builder()
                .instance("dps-x509", i -> i.idScope(SCOPE).linkedHub("hub-x.azure-devices.net"))
                .instantAssignment(true)
                .start();
        instance = dps.instance("dps-x509");
        pki = dps.certificates();
    }

    @AfterAll
    static void stop() {
        dps.close();
    }

    @BeforeEach
    void reset() {
        dps.reset();
    }

    @Test
    void individualEnrollmentMatchesTheDeviceCertificate() throws Exception {
        DeviceCertificate device = pki.device("cam-001");
        instance.createX509Enrollment("cam-001", device.certificate());

        ProvisioningDeviceClientRegistrationResult result =
                SdkDevice.register(dps.deviceEndpoint(), SCOPE, new TestX509SecurityProvider(device, pki));

        assertThat(result.getIothubUri()).isEqualTo("hub-x.azure-devices.net");
        assertThat(result.getDeviceId()).isEqualTo("cam-001");
        assertThat(instance.registration("cam-001").orElseThrow().attestationType()).isEqualTo("x509");
    }

    @Test
    void individualEnrollmentRejectsAnotherCertificateWithTheSameName() {
        instance.createX509Enrollment("cam-002", pki.device("cam-002").certificate());

        assertThatThrownBy(() -> SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                new TestX509SecurityProvider(pki.device("cam-002"), pki)))
                .hasStackTraceContaining("401");
    }

    @Test
    void groupAcceptsLeavesOfItsRootCa() throws Exception {
        instance.createX509Group("root-grp", pki.caCertificate());

        ProvisioningDeviceClientRegistrationResult result = SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                new TestX509SecurityProvider(pki.device("cam-010"), pki));

        assertThat(result.getDeviceId()).isEqualTo("cam-010");
        assertThat(instance.registration("cam-010").orElseThrow().enrollmentGroupId()).isEqualTo("root-grp");
    }

    @Test
    void groupOnAnIntermediateAcceptsTheChainTheDevicePresents() throws Exception {
        instance.createX509Group("intermediate-grp", pki.intermediateCertificate());

        ProvisioningDeviceClientRegistrationResult result = SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                new TestX509SecurityProvider(pki.deviceViaIntermediate("cam-020"), pki));

        assertThat(result.getDeviceId()).isEqualTo("cam-020");
    }

    @Test
    void groupThroughAVerifiedCaReference() throws Exception {
        instance.addVerifiedCa("factory-root", pki.caCertificate());
        instance.putEnrollment(EnrollmentSpec.group("ca-ref-grp").x509CaReference("factory-root").build());

        assertThat(SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                new TestX509SecurityProvider(pki.deviceViaIntermediate("cam-030"), pki)).getDeviceId())
                .isEqualTo("cam-030");
    }

    @Test
    void expiredAndWrongCaCertificatesAreRejected() {
        instance.createX509Group("root-grp", pki.caCertificate());

        assertThatThrownBy(() -> SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                new TestX509SecurityProvider(pki.expiredDevice("cam-040"), pki)))
                .hasStackTraceContaining("401").hasStackTraceContaining("not valid at");
        assertThatThrownBy(() -> SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                new TestX509SecurityProvider(pki.deviceFromOtherCa("cam-041"), pki)))
                .hasStackTraceContaining("401").hasStackTraceContaining("chains to");
        assertThat(instance.counters().unauthorized()).isEqualTo(2);
        assertThat(instance.registrations()).isEmpty();
    }
}
