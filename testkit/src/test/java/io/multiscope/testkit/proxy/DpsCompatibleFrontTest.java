package io.multiscope.testkit.proxy;

import static io.multiscope.testkit.proxy.ProxyFixture.EU1;
import static io.multiscope.testkit.proxy.ProxyFixture.GROUP;
import static io.multiscope.testkit.proxy.ProxyFixture.HUB1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.device.AdditionalData;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import io.multiscope.core.http.ProvisioningApi;
import io.multiscope.core.http.ProvisioningHttpServer;
import io.multiscope.testkit.DpsEmulator;
import io.multiscope.testkit.TestSymmetricKeySecurityProvider;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A device running the stock Azure device SDK, pointed at the proxy instead of DPS, unchanged. */
class DpsCompatibleFrontTest {

    static final String FRONT_SCOPE = "0ne00PR0XY1";

    static DpsEmulator dps;
    static ProxyFixture fixture;
    static ProvisioningHttpServer server;

    @BeforeAll
    static void start() throws Exception {
        dps = ProxyFixture.startEmulator();
        // Devices sign for {FRONT_SCOPE}/registrations/{id}, as they would for a DPS ID scope.
        fixture = new ProxyFixture(dps, 1000, true, FRONT_SCOPE, b -> { });
        server = ProvisioningHttpServer.https(ProvisioningApi.builder(fixture.proxy).dpsCompatibleFront(FRONT_SCOPE)
                .build(), dps.certificates().serverKeyManagers(List.of())).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        fixture.close();
        dps.close();
    }

    static ProvisioningDeviceClientRegistrationResult register(String id, String key, String payload)
            throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create("localhost:" + server.port(), FRONT_SCOPE,
                ProvisioningDeviceClientTransportProtocol.HTTPS,
                TestSymmetricKeySecurityProvider.forGroupDevice(id, key, dps.certificates()));
        try {
            if (payload == null) {
                return client.registerDeviceSync(20);
            }
            AdditionalData data = new AdditionalData();
            data.setProvisioningPayload(payload);
            return client.registerDeviceSync(data, 20);
        } finally {
            client.close();
        }
    }

    @Test
    void theStockSdkRegistersThroughTheProxyAndGetsTheRealHub() throws Exception {
        ProvisioningDeviceClientRegistrationResult result = register("stock-device-1", fixture.deviceGroupKey,
                "{\"modelId\":\"dtmi:com:example:Thermostat;1\"}");

        assertThat(result.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(result.getIothubUri()).isEqualTo(HUB1);
        assertThat(result.getDeviceId()).isEqualTo("stock-device-1");
        // The proxy registered it with the real (emulated) DPS through its own group.
        assertThat(dps.instance(EU1).registration("stock-device-1")).hasValueSatisfying(r ->
                assertThat(r.enrollmentGroupId()).isEqualTo(GROUP));

        // A reboot asks again: answered from the inventory, no second DPS registration.
        assertThat(register("stock-device-1", fixture.deviceGroupKey, null).getIothubUri()).isEqualTo(HUB1);
        assertThat(dps.instance(EU1).counters().registrations()).isEqualTo(1);
    }

    @Test
    void aDeviceWithTheWrongKeyGetsA401AsFromDps() {
        assertThatThrownBy(() -> register("stock-device-2", ProxyFixture.randomKey(), null))
                .hasStackTraceContaining("401");
        assertThat(fixture.proxy.store().findAssignment("stock-device-2")).isEmpty();
    }
}
