package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.multiscope.testkit.DeviceCertificate;
import io.multiscope.testkit.TestCertificates;
import java.net.URI;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Immutable, validated settings: a bad value is refused with a clear message and changes nothing. */
class SettingsValidationTest {

    static final String KEY = TestEnvironment.GROUP_KEY;

    @Test
    void retryBudgetDefaultsAndLimits() {
        RetryBudget first = RetryBudget.firstProvisioning();
        assertThat(first.maxAttempts()).isEqualTo(10);
        assertThat(first.maxElapsed()).isEqualTo(Duration.ofMinutes(30));
        assertThat(first.backoffCeiling(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(first.backoffCeiling(3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(first.backoffCeiling(20)).isEqualTo(Duration.ofMinutes(2));
        assertThat(first.backoffCeiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(2));
        RetryBudget again = RetryBudget.reprovisioning();
        assertThat(again.maxAttempts()).isLessThan(first.maxAttempts());
        assertThat(again.initialBackoff()).isGreaterThan(first.initialBackoff());

        RetryBudget.Builder b = RetryBudget.builder().maxAttempts(3);
        assertThatIllegalArgumentException().isThrownBy(() -> b.maxAttempts(0)).withMessageContaining("maxAttempts");
        assertThatIllegalArgumentException().isThrownBy(() -> b.initialBackoff(Duration.ZERO));
        assertThatIllegalArgumentException().isThrownBy(() -> b.retryAfterJitter(1.5));
        assertThatIllegalArgumentException().isThrownBy(() -> b.retryAfterJitter(Double.NaN));
        assertThatNullPointerException().isThrownBy(() -> b.maxElapsed(null));
        assertThat(b.build().maxAttempts()).as("the bad values changed nothing").isEqualTo(3);
        assertThatIllegalArgumentException().isThrownBy(() -> RetryBudget.builder()
                .initialBackoff(Duration.ofMinutes(5)).maxBackoff(Duration.ofMinutes(1)).build())
                .withMessageContaining("below initialBackoff");
        assertThat(first.toBuilder().build()).isEqualTo(first);
    }

    @Test
    void circuitBreakerDefaultsAndLimits() {
        CircuitBreakerPolicy p = CircuitBreakerPolicy.defaults();
        assertThat(p.failureThreshold()).isEqualTo(5);
        assertThat(p.nominalOpenDuration(1)).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.nominalOpenDuration(2)).isEqualTo(Duration.ofMinutes(20));
        assertThat(p.nominalOpenDuration(100)).isEqualTo(Duration.ofHours(4));
        assertThatIllegalArgumentException().isThrownBy(() -> CircuitBreakerPolicy.builder().failureThreshold(0));
        assertThatIllegalArgumentException().isThrownBy(() -> CircuitBreakerPolicy.builder()
                .openDuration(Duration.ofHours(2)).maxOpenDuration(Duration.ofHours(1)).build());
    }

    @Test
    void theBuilderNamesWhatIsMissingOrWrong() {
        assertThatIllegalStateException().isThrownBy(() -> DeviceProvisioner.builder().symmetricKey("d-1", KEY)
                .build()).withMessageContaining("no endpoint");
        assertThatIllegalStateException().isThrownBy(() -> DeviceProvisioner.builder().dps("localhost:1", "0ne1")
                .build()).withMessageContaining("no device identity");
        assertThatIllegalStateException().isThrownBy(() -> DeviceProvisioner.builder().dps("localhost:1", "0ne1")
                .provisioningApi(URI.create("https://p.example.com")).symmetricKey("d-1", KEY).build())
                .withMessageContaining("choose one");
        assertThatIllegalStateException().isThrownBy(() -> DeviceProvisioner.builder().dps("localhost:1", "0ne1")
                .symmetricKey("d-1", KEY).region("westeurope").build()).withMessageContaining("provisioning API");

        DeviceProvisioner.Builder b = DeviceProvisioner.builder();
        assertThatIllegalArgumentException().isThrownBy(() -> b.provisioningApi(URI.create("http://p.example.com")))
                .withMessageContaining("https");
        assertThatIllegalArgumentException().isThrownBy(() -> b.provisioningApi(URI.create("https://p.example.com?x")));
        assertThatIllegalArgumentException().isThrownBy(() -> b.dps("https://global.azure-devices-provisioning.net",
                "0ne1")).withMessageContaining("without a scheme");
        assertThatIllegalArgumentException().isThrownBy(() -> b.dps("global.azure-devices-provisioning.net/x",
                "0ne1"));
        assertThatIllegalArgumentException().isThrownBy(() -> b.dps("localhost", "0ne 1"));
        assertThatIllegalArgumentException().isThrownBy(() -> b.symmetricKey("Bad/Id", KEY))
                .withMessageContaining("'/'");
        assertThatIllegalArgumentException().isThrownBy(() -> b.symmetricKey("d." , KEY))
                .withMessageContaining("ends with");
        assertThatIllegalArgumentException().isThrownBy(() -> b.symmetricKey("x".repeat(129), KEY))
                .withMessageContaining("128");
        assertThatIllegalArgumentException().isThrownBy(() -> b.symmetricKey("d-1", "not base64!"))
                .withMessageContaining("device key is not valid base64").withMessageNotContaining("not base64!");
        assertThatIllegalArgumentException().isThrownBy(() -> b.groupKey("d-1", "c2hvcnQ="))
                .withMessageContaining("at least 16 bytes");
        assertThatIllegalArgumentException().isThrownBy(() -> b.payload("[1]")).withMessageContaining("JSON object");
        assertThatIllegalArgumentException().isThrownBy(() -> b.staggerWindow(Duration.ofSeconds(-1)));
        assertThatIllegalArgumentException().isThrownBy(() -> b.proxy("proxy.example.com", 0));
        assertThatIllegalArgumentException().isThrownBy(() -> b.registrationTimeout(Duration.ZERO));
        assertThatIllegalArgumentException().isThrownBy(() -> b.apiScope("a/b"));
        assertThatNullPointerException().isThrownBy(() -> b.attributes(Map.of()).attributes(java.util.Collections
                .singletonMap("k", null)));

        // After all these refusals the builder is still empty, and one identity is all it takes.
        b.symmetricKey("d-1", KEY);
        assertThatIllegalStateException().isThrownBy(() -> b.groupKey("d-2", KEY))
                .withMessageContaining("already set").withMessageContaining("d-1");
        DeviceProvisioner device = b.dps("localhost:1", "0ne1").build();
        assertThat(device.registrationId()).isEqualTo("d-1");
        assertThat(device.current()).isEqualTo(ProvisioningResult.UNPROVISIONED);
    }

    @Test
    void redirectAndBundleSettingsAreChecked() throws Exception {
        DeviceProvisioner.Builder b = DeviceProvisioner.builder();
        assertThatIllegalArgumentException().isThrownBy(() -> b.maxRedirects(-1)).withMessageContaining("0 to 10");
        assertThatIllegalArgumentException().isThrownBy(() -> b.maxRedirects(11)).withMessageContaining("0 to 10");
        assertThatIllegalArgumentException().isThrownBy(() -> b.bundleExpiryTolerance(Duration.ofSeconds(-1)));
        assertThatIllegalArgumentException().isThrownBy(() -> b.bundleExpiryTolerance(Duration.ofDays(2)));
        assertThatNullPointerException().isThrownBy(() -> b.bundleVerificationKey(null));
        KeyPairGenerator dsa = KeyPairGenerator.getInstance("DSA");
        dsa.initialize(2048);
        assertThatIllegalArgumentException().isThrownBy(() -> b.bundleVerificationKey(dsa.generateKeyPair()
                .getPublic())).withMessageContaining("EC or RSA");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        assertThatIllegalArgumentException().isThrownBy(() -> b.bundleVerificationKey(rsa.generateKeyPair()
                .getPublic())).withMessageContaining("at least 2048");
        assertThatNullPointerException().isThrownBy(() -> b.symmetricKey("d-1", KEY).dps("localhost:1", "0ne1")
                .build().applyBundle((String) null));
    }

    @Test
    void anX509DeviceIsNamedByItsCertificate() {
        TestCertificates pki = TestEnvironment.PKI;
        DeviceCertificate cert = pki.device("cert-device-7");
        DeviceProvisioner device = DeviceProvisioner.builder().dps("localhost:1", "0ne1")
                .x509(cert.certificate(), cert.privateKey(), List.of()).build();
        assertThat(device.registrationId()).isEqualTo("cert-device-7");

        DeviceCertificate badName = pki.device("Not Valid!");
        assertThatIllegalArgumentException().isThrownBy(() -> DeviceProvisioner.builder()
                .x509(badName.certificate(), badName.privateKey(), List.of())).withMessageContaining("common name");
    }

    @Test
    void resultsSayWhatTheyAre() {
        ProvisioningResult r = ProvisioningResult.provisioned("d-1", "hub.azure-devices.net", "d-1",
                "global.azure-devices-provisioning.net", "0ne1", null, Instant.EPOCH,
                ProvisioningResult.Source.REGISTERED);
        assertThat(r.isProvisioned()).isTrue();
        assertThat(r.payload()).isEmpty();
        assertThat(r.withSource(ProvisioningResult.Source.STORED)).isEqualTo(r);
        assertThat(ProvisioningResult.UNPROVISIONED.isProvisioned()).isFalse();
        assertThat(ProvisioningResult.UNPROVISIONED.reason()).contains(ProvisioningResult.Reason.NOT_PROVISIONED);
        assertThatIllegalStateException().isThrownBy(ProvisioningResult.UNPROVISIONED::deviceId)
                .withMessageContaining("unprovisioned");
        assertThatIllegalArgumentException().isThrownBy(() -> ProvisioningResult.provisioned("d-1", " ", "d-1", "e",
                "s", null, Instant.EPOCH, ProvisioningResult.Source.REGISTERED));
    }
}
