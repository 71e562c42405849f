package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientSubstatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A device registers on hub A, the enrollment is moved to hub B with a new initial twin, and the device registers
 * again: each reprovisioning policy decides where it lands and what its twin becomes.
 */
class ReprovisioningTest {

    static final String SCOPE = "0ne000REPRO";
    static final String HUB_A = "hub-a.azure-devices.net";
    static final String HUB_B = "hub-b.azure-devices.net";
    static DpsEmulator dps;
    static EmulatedDpsInstance instance;

    @BeforeAll
    static void start() {
        dps = DpsEmulator.builder()
                .instance("dps-repro", i -> i.idScope(SCOPE).linkedHub(HUB_A).linkedHub(HUB_B))
                .instantAssignment(true)
                .start();
        instance = dps.instance("dps-repro");
    }

    @AfterAll
    static void stop() {
        dps.close();
    }

    @BeforeEach
    void reset() {
        dps.reset();
    }

    private static ProvisioningDeviceClientRegistrationResult moveAndRegisterAgain(ReprovisionPolicy policy)
            throws Exception {
        instance.putEnrollment(EnrollmentSpec.group("grp").symmetricKey(TestKeys.GROUP_KEY).staticHub(HUB_A)
                .initialTwin("{\"tags\":{\"version\":1}}").reprovision(policy).build());
        ProvisioningDeviceClientRegistrationResult first = register();
        assertThat(first.getIothubUri()).isEqualTo(HUB_A);
        assertThat(first.getSubstatus()).isEqualTo(ProvisioningDeviceClientSubstatus.INITIAL_ASSIGNMENT);

        instance.putEnrollment(EnrollmentSpec.group("grp").symmetricKey(TestKeys.GROUP_KEY).staticHub(HUB_B)
                .initialTwin("{\"tags\":{\"version\":2}}").reprovision(policy).build());
        return register();
    }

    private static ProvisioningDeviceClientRegistrationResult register() throws Exception {
        return SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                TestSymmetricKeySecurityProvider.forGroupDevice("mover-1", TestKeys.GROUP_KEY, dps.certificates()));
    }

    private static int twinVersion() throws Exception {
        JsonNode twin = RawDps.JSON.readTree(instance.registration("mover-1").orElseThrow().twinJson());
        return twin.path("tags").path("version").asInt();
    }

    @Test
    void reprovisionAndMigrateMovesTheDeviceWithItsTwin() throws Exception {
        ProvisioningDeviceClientRegistrationResult again = moveAndRegisterAgain(ReprovisionPolicy.REPROVISION_AND_MIGRATE);

        assertThat(again.getIothubUri()).isEqualTo(HUB_B);
        assertThat(again.getSubstatus()).isEqualTo(ProvisioningDeviceClientSubstatus.DEVICE_DATA_MIGRATED);
        assertThat(twinVersion()).isEqualTo(1);
    }

    @Test
    void reprovisionAndResetMovesTheDeviceAndResetsItsTwin() throws Exception {
        ProvisioningDeviceClientRegistrationResult again = moveAndRegisterAgain(ReprovisionPolicy.REPROVISION_AND_RESET);

        assertThat(again.getIothubUri()).isEqualTo(HUB_B);
        assertThat(again.getSubstatus()).isEqualTo(ProvisioningDeviceClientSubstatus.DEVICE_DATA_RESET);
        assertThat(twinVersion()).isEqualTo(2);
    }

    @Test
    void neverReprovisionKeepsTheDeviceWhereItIs() throws Exception {
        ProvisioningDeviceClientRegistrationResult again = moveAndRegisterAgain(ReprovisionPolicy.NEVER);

        assertThat(again.getIothubUri()).isEqualTo(HUB_A);
        assertThat(again.getSubstatus())
                .isEqualTo(ProvisioningDeviceClientSubstatus.REPROVISIONED_TO_INITIAL_ASSIGNMENT);
        assertThat(twinVersion()).isEqualTo(1);
    }

    @Test
    void theWebhookSeesTheCurrentHubAndUnderNeverOnlyThatHub() throws Exception {
        try (WebhookStub webhook = WebhookStub.start(request -> new WebhookStub.Reply(200,
                "{\"iotHubHostName\":\"" + request.path("linkedHubs").path(request.path("linkedHubs").size() - 1)
                        .asText() + "\"}"))) {
            instance.putEnrollment(EnrollmentSpec.group("grp").symmetricKey(TestKeys.GROUP_KEY)
                    .customAllocation(webhook.uri()).hubs(HUB_A).reprovision(ReprovisionPolicy.NEVER).build());
            assertThat(register().getIothubUri()).isEqualTo(HUB_A);
            instance.putEnrollment(EnrollmentSpec.group("grp").symmetricKey(TestKeys.GROUP_KEY)
                    .customAllocation(webhook.uri()).hubs(HUB_A, HUB_B).reprovision(ReprovisionPolicy.NEVER).build());

            assertThat(register().getIothubUri()).isEqualTo(HUB_A);

            JsonNode second = webhook.requests().get(1);
            assertThat(second.path("deviceRuntimeContext").path("currentIotHubHostName").asText()).isEqualTo(HUB_A);
            assertThat(second.path("deviceRuntimeContext").path("currentDeviceId").asText()).isEqualTo("mover-1");
            assertThat(second.path("linkedHubs")).extracting(JsonNode::asText).containsExactly(HUB_A);
        }
    }

    @Test
    void deletingTheRegistrationStateMakesTheNextRegistrationInitial() throws Exception {
        moveAndRegisterAgain(ReprovisionPolicy.NEVER);
        assertThat(instance.deleteRegistration("mover-1")).isTrue();

        ProvisioningDeviceClientRegistrationResult fresh = register();

        assertThat(fresh.getIothubUri()).isEqualTo(HUB_B);
        assertThat(fresh.getSubstatus()).isEqualTo(ProvisioningDeviceClientSubstatus.INITIAL_ASSIGNMENT);
    }
}
