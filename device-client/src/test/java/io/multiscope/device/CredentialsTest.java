package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.core.attestation.SasToken;
import io.multiscope.testkit.DeviceCertificate;
import io.multiscope.testkit.RegistrationView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** X.509 devices and devices deriving their key from a group key, end to end. */
class CredentialsTest {

    TestEnvironment env;

    @AfterEach
    void stop() {
        if (env != null) {
            env.close();
        }
    }

    private DeviceProvisioner.Builder x509(DeviceCertificate cert) {
        return env.base(new RecordingListener()).x509(cert.certificate(), cert.privateKey(), cert.intermediates());
    }

    @Test
    void anX509DeviceProvisionsThroughTheApiWithMutualTlsAndRegistersByCertificate() throws Exception {
        env = TestEnvironment.start("dps-a").withApi();
        DeviceCertificate cert = TestEnvironment.PKI.deviceViaIntermediate("x509-sensor-1");

        DeviceProvisioner device = env.viaApi(x509(cert)).build();
        ProvisioningResult result = device.ensureProvisioned();

        assertThat(device.registrationId()).isEqualTo("x509-sensor-1");
        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        RegistrationView dpsSide = env.instance("dps-a").registration("x509-sensor-1").orElseThrow();
        assertThat(dpsSide.attestationType()).isEqualTo("x509");
        assertThat(dpsSide.enrollmentGroupId()).isEqualTo("x509-fleet");
        assertThat(env.service.lookup("x509-sensor-1")).isPresent();
    }

    @Test
    void anX509DeviceProvisionsDirectlyIncludingTheStatusLookup() {
        env = TestEnvironment.start("dps-a");
        DeviceCertificate cert = TestEnvironment.PKI.device("x509-direct-1");

        ProvisioningResult first = env.direct(x509(cert), "dps-a").build().ensureProvisioned();
        ProvisioningResult lookedUp = env.direct(x509(cert), "dps-a").build().ensureProvisioned();

        assertThat(first.source()).contains(ProvisioningResult.Source.REGISTERED);
        assertThat(lookedUp.source()).contains(ProvisioningResult.Source.STATUS_LOOKUP);
        assertThat(lookedUp.assignedHub()).isEqualTo(first.assignedHub());
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(1);
    }

    @Test
    void aCertificateFromAnUntrustedCaIsRefusedWithoutRetrying() {
        env = TestEnvironment.start("dps-a");
        DeviceCertificate cert = TestEnvironment.PKI.deviceFromOtherCa("x509-rogue");

        ProvisioningResult result = env.direct(x509(cert), "dps-a").build().ensureProvisioned();

        assertThat(result.reason()).contains(ProvisioningResult.Reason.PERMANENT_FAILURE);
        assertThat(env.instance("dps-a").counters().unauthorized()).as("once, then once from scratch")
                .isEqualTo(2);
    }

    @Test
    void aGroupDerivedKeyDeviceIsTheSameDeviceAsOneFlashedWithTheDerivedKey() throws Exception {
        env = TestEnvironment.start("dps-a").withApi();
        ProvisioningResult derivedOnDevice = env.viaApi(env.base(new RecordingListener())
                .groupKey("group-sensor-1", TestEnvironment.GROUP_KEY)).build().ensureProvisioned();
        ProvisioningResult flashed = env.viaApi(env.base(new RecordingListener()).symmetricKey("group-sensor-2",
                SasToken.deriveDeviceKey(TestEnvironment.GROUP_KEY, "group-sensor-2"))).build().ensureProvisioned();

        assertThat(derivedOnDevice.isProvisioned()).as(derivedOnDevice.toString()).isTrue();
        assertThat(flashed.isProvisioned()).as(flashed.toString()).isTrue();
        assertThat(env.instance("dps-a").registration("group-sensor-1").orElseThrow().enrollmentGroupId())
                .isEqualTo("fleet");
    }

    @Test
    void aTlsServerTheDeviceDoesNotTrustIsAPermanentFailureNamingTheFix() throws Exception {
        env = TestEnvironment.start("dps-a").withApi();
        ProvisioningResult result = env.viaApi(DeviceProvisioner.builder().clock(env.clock).sleeper(env.time)
                .groupKey("trusting-1", TestEnvironment.GROUP_KEY)).build().ensureProvisioned();

        assertThat(result.reason()).contains(ProvisioningResult.Reason.PERMANENT_FAILURE);
        assertThat(result.detail()).contains("does not trust", "trustedCas");
    }
}
