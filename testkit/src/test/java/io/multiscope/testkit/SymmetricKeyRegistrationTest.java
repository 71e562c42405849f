package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientSubstatus;
import io.multiscope.core.attestation.SasToken;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SymmetricKeyRegistrationTest {

    static DpsEmulator dps;
    static EmulatedDpsInstance eu;

    @BeforeAll
    static void start() {
        dps = DpsEmulator.builder()
                .instance("dps-eu-1", i -> i.idScope("0ne0001A1B2").linkedHub("hub-eu-1.azure-devices.net"))
                .instance("dps-us-1", i -> i.idScope("0ne0003C4D5").linkedHub("hub-us-1.azure-devices.net"))
                .instantAssignment(true)
                .start();
        eu = dps.instance("dps-eu-1");
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
    void groupDerivedKeyDeviceIsAssigned() throws Exception {
        String groupKey = eu.createSymmetricKeyGroup("fleet");

        ProvisioningDeviceClientRegistrationResult result = SdkDevice.register(dps.deviceEndpoint(), "0ne0001A1B2",
                TestSymmetricKeySecurityProvider.forGroupDevice("sensor-001", groupKey, dps.certificates()));

        assertThat(result.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(result.getIothubUri()).isEqualTo("hub-eu-1.azure-devices.net");
        assertThat(result.getDeviceId()).isEqualTo("sensor-001");
        assertThat(result.getSubstatus()).isEqualTo(ProvisioningDeviceClientSubstatus.INITIAL_ASSIGNMENT);
        assertThat(eu.registration("sensor-001")).hasValueSatisfying(r -> {
            assertThat(r.assignedHub()).isEqualTo("hub-eu-1.azure-devices.net");
            assertThat(r.enrollmentGroupId()).isEqualTo("fleet");
        });
        assertThat(eu.counters().registrations()).isEqualTo(1);
        assertThat(dps.instance("dps-us-1").counters().registrations()).isZero();
    }

    @Test
    void individualKeyDeviceIsAssigned() throws Exception {
        String key = eu.createSymmetricKeyEnrollment("meter-7");

        ProvisioningDeviceClientRegistrationResult result = SdkDevice.register(dps.deviceEndpoint(), "0ne0001A1B2",
                TestSymmetricKeySecurityProvider.forDevice("meter-7", key, dps.certificates()));

        assertThat(result.getIothubUri()).isEqualTo("hub-eu-1.azure-devices.net");
        assertThat(eu.registration("meter-7").orElseThrow().enrollmentGroupId()).isNull();
    }

    @Test
    void theUrlEncodedSigningFormOfOtherSdksIsAcceptedToo() {
        String deviceKey = SasToken.deriveDeviceKey(eu.createSymmetricKeyGroup("fleet"), "c-device-1");
        // As the C, C# and Node SDKs sign: the URL-encoded resource, skn=registration.
        String resource = URLEncoder.encode("0ne0001A1B2/registrations/c-device-1", StandardCharsets.UTF_8);
        long se = Instant.now().plusSeconds(3600).getEpochSecond();
        String sig = SasToken.sign(Base64.getDecoder().decode(deviceKey), resource + "\n" + se);
        String token = "SharedAccessSignature sr=" + resource + "&sig=" + URLEncoder.encode(sig, StandardCharsets.UTF_8)
                + "&se=" + se + "&skn=registration";

        RawDps.Response response = new RawDps(dps).device("PUT", "0ne0001A1B2/registrations/c-device-1/register"
                + RawDps.API, token, "{\"registrationId\":\"c-device-1\",\"payload\":{\"a\":1}}");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("registrationState").path("assignedHub").asText())
                .isEqualTo("hub-eu-1.azure-devices.net");
    }

    @Test
    void badKeyIsRejectedWith401() {
        eu.createSymmetricKeyGroup("fleet");
        String wrongGroupKey = SasToken.deriveDeviceKey(eu.createSymmetricKeyEnrollment("other"), "x");

        assertThatThrownBy(() -> SdkDevice.register(dps.deviceEndpoint(), "0ne0001A1B2",
                TestSymmetricKeySecurityProvider.forGroupDevice("sensor-002", wrongGroupKey, dps.certificates())))
                .hasStackTraceContaining("401");
        assertThat(eu.counters().unauthorized()).isEqualTo(1);
        assertThat(eu.registration("sensor-002")).isEmpty();
    }
}
