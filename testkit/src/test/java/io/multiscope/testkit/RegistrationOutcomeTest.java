package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the real device SDK sees for every outcome DPS can give, in instant mode. */
class RegistrationOutcomeTest {

    static final String SCOPE = "0ne00000OUT";
    static DpsEmulator dps;
    static EmulatedDpsInstance instance;
    static WebhookStub webhook;

    @BeforeAll
    static void start() {
        dps = DpsEmulator.builder()
                .instance("dps-out", i -> i.idScope(SCOPE)
                        .linkedHub("hub-a.azure-devices.net").linkedHub("hub-b.azure-devices.net"))
                .instantAssignment(true)
                .start();
        instance = dps.instance("dps-out");
        webhook = WebhookStub.echoing();
    }

    @AfterAll
    static void stop() {
        webhook.close();
        dps.close();
    }

    @BeforeEach
    void reset() {
        dps.reset();
    }

    private static ProvisioningDeviceClientRegistrationResult register(String id, String groupKey, String payload)
            throws Exception {
        return SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                TestSymmetricKeySecurityProvider.forGroupDevice(id, groupKey, dps.certificates()), payload);
    }

    @Test
    void customPayloadGoesToTheWebhookAndComesBackAsAnObject() throws Exception {
        instance.putEnrollment(EnrollmentSpec.group("pnp").symmetricKey(TestKeys.GROUP_KEY)
                .customAllocation(webhook.uri()).build());

        ProvisioningDeviceClientRegistrationResult result =
                register("thermo-1", TestKeys.GROUP_KEY, "{\"modelId\":\"dtmi:com:example:Thermostat;1\"}");

        // The Java SDK sends the payload as a JSON string; the webhook gets it as the object it encodes.
        JsonNode context = webhook.requests().get(0).path("deviceRuntimeContext");
        assertThat(context.path("payload").path("modelId").asText()).isEqualTo("dtmi:com:example:Thermostat;1");
        assertThat(RawDps.JSON.readTree(result.getProvisioningPayload()).path("modelId").asText())
                .isEqualTo("dtmi:com:example:Thermostat;1");
        assertThat(instance.registration("thermo-1").orElseThrow().payloadJson()).contains("Thermostat");
    }

    @Test
    void failedAllocationReachesTheSdkAsAnErrorNotAHang() {
        webhook.respondWith(request -> new WebhookStub.Reply(400, "{\"error\":\"no\"}"));
        try {
            instance.putEnrollment(EnrollmentSpec.group("pnp").symmetricKey(TestKeys.GROUP_KEY)
                    .customAllocation(webhook.uri()).build());

            assertThatThrownBy(() -> register("thermo-2", TestKeys.GROUP_KEY, null))
                    .hasStackTraceContaining("Custom allocation failed with status code: 400");
            RegistrationView state = instance.registration("thermo-2").orElseThrow();
            assertThat(state.status()).isEqualTo("failed");
            assertThat(state.errorCode()).isEqualTo(400209);
            assertThat(instance.counters().notAssigned()).isEqualTo(1);
        } finally {
            webhook.respondWith(WebhookStub::echo);
        }
    }

    @Test
    void disabledEnrollmentReachesTheSdkAsAnError() {
        instance.putEnrollment(EnrollmentSpec.group("off").symmetricKey(TestKeys.GROUP_KEY).enabled(false).build());

        assertThatThrownBy(() -> register("dev-off", TestKeys.GROUP_KEY, null))
                .hasStackTraceContaining("is disabled");
        assertThat(instance.registration("dev-off").orElseThrow().status()).isEqualTo("disabled");
    }

    @Test
    void throttledRegisterFailsTheRegistrationWith429() {
        instance.createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);
        instance.failNext(1, 429, RequestKind.REGISTER);

        assertThatThrownBy(() -> register("dev-429", TestKeys.GROUP_KEY, null))
                .hasStackTraceContaining("429");
        assertThat(instance.counters().faultsInjected()).isEqualTo(1);

        // The fault was used up: the retry goes through.
        assertThat(instance.registration("dev-429")).isEmpty();
        assertThat(assigned("dev-429")).isTrue();
    }

    @Test
    void injectedServerErrorsAreCountedAndThenStop() {
        instance.createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);
        instance.failNext(2, 503);

        assertThatThrownBy(() -> register("dev-503", TestKeys.GROUP_KEY, null)).hasStackTraceContaining("503");
        assertThatThrownBy(() -> register("dev-503", TestKeys.GROUP_KEY, null)).hasStackTraceContaining("503");
        assertThat(assigned("dev-503")).isTrue();
        assertThat(instance.counters().registrations()).isEqualTo(3);
        assertThat(instance.counters().faultsInjected()).isEqualTo(2);
    }

    private static boolean assigned(String id) {
        try {
            return register(id, TestKeys.GROUP_KEY, null).getIothubUri() != null;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
