package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The custom allocation webhook: what DPS posts to it and what it does with the answer. */
class CustomAllocationTest {

    static final String SCOPE = "0ne000CUSTM";
    static DpsEmulator dps;
    static EmulatedDpsInstance instance;
    static WebhookStub webhook;

    @BeforeAll
    static void start() {
        dps = DpsEmulator.builder()
                .instance("dps-custom", i -> i.idScope(SCOPE)
                        .linkedHub("hub-a.azure-devices.net").linkedHub("hub-b.azure-devices.net"))
                .instantAssignment(true)
                .start();
        instance = dps.instance("dps-custom");
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
        webhook.requests().clear();
    }

    private static ProvisioningDeviceClientRegistrationResult register(String id, String payload) throws Exception {
        return SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                TestSymmetricKeySecurityProvider.forGroupDevice(id, TestKeys.GROUP_KEY, dps.certificates()), payload);
    }

    @Test
    void webhookRoundTrip() throws Exception {
        webhook.respondWith(request -> new WebhookStub.Reply(200, """
                {"iotHubHostName": "hub-b.azure-devices.net",
                 "initialTwin": {"tags": {"deviceType": "toaster"}, "properties": {"desired": {"state": "ready"}}},
                 "payload": {"targetScope": "0ne000TARGT"}}"""));
        instance.putEnrollment(EnrollmentSpec.group("toasters").symmetricKey(TestKeys.GROUP_KEY)
                .customAllocation(webhook.uri()).build());

        ProvisioningDeviceClientRegistrationResult result = register("toaster-1", "{\"fw\":\"1.2\"}");

        assertThat(result.getIothubUri()).isEqualTo("hub-b.azure-devices.net");
        assertThat(RawDps.JSON.readTree(result.getProvisioningPayload()).path("targetScope").asText())
                .isEqualTo("0ne000TARGT");

        assertThat(webhook.requests()).hasSize(1);
        JsonNode request = webhook.requests().get(0);
        assertThat(request.path("enrollmentGroup").path("enrollmentGroupId").asText()).isEqualTo("toasters");
        assertThat(request.path("enrollmentGroup").path("attestation").path("type").asText())
                .isEqualTo("symmetricKey");
        assertThat(request.path("enrollmentGroup").path("attestation").path("symmetricKey").has("primaryKey"))
                .as("keys are never sent to the webhook").isFalse();
        JsonNode context = request.path("deviceRuntimeContext");
        assertThat(context.path("registrationId").asText()).isEqualTo("toaster-1");
        assertThat(context.has("currentIotHubHostName")).isFalse();
        assertThat(context.path("symmetricKey").isObject()).isTrue();
        assertThat(context.path("payload").path("fw").asText()).isEqualTo("1.2");
        assertThat(request.path("linkedHubs")).extracting(JsonNode::asText)
                .containsExactly("hub-a.azure-devices.net", "hub-b.azure-devices.net");

        RegistrationView state = instance.registration("toaster-1").orElseThrow();
        assertThat(state.twinJson()).contains("toaster");
        assertThat(state.payloadJson()).contains("0ne000TARGT");
    }

    @Test
    void individualEnrollmentsAreSentAsIndividualEnrollment() throws Exception {
        instance.putEnrollment(EnrollmentSpec.individual("solo-1").symmetricKey(TestKeys.GROUP_KEY)
                .hubs("hub-b.azure-devices.net").customAllocation(webhook.uri()).build());

        SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                TestSymmetricKeySecurityProvider.forDevice("solo-1", TestKeys.GROUP_KEY, dps.certificates()));

        JsonNode request = webhook.requests().get(0);
        assertThat(request.path("individualEnrollment").path("registrationId").asText()).isEqualTo("solo-1");
        assertThat(request.has("enrollmentGroup")).isFalse();
        // The enrollment's own hub list is what the webhook may choose from.
        assertThat(request.path("linkedHubs")).extracting(JsonNode::asText)
                .containsExactly("hub-b.azure-devices.net");
    }

    @Test
    void aHubOutsideTheLinkedHubsFailsTheRegistration() {
        webhook.respondWith(request -> new WebhookStub.Reply(200, "{\"iotHubHostName\":\"elsewhere.azure-devices.net\"}"));
        try {
            instance.putEnrollment(EnrollmentSpec.group("g").symmetricKey(TestKeys.GROUP_KEY)
                    .customAllocation(webhook.uri()).build());

            assertThatThrownBy(() -> register("lost-1", null)).hasStackTraceContaining("not one of the linked hubs");
            assertThat(instance.registration("lost-1").orElseThrow().status()).isEqualTo("failed");
        } finally {
            webhook.respondWith(WebhookStub::echo);
        }
    }

    @Test
    void anUnreachableWebhookFailsTheRegistration() {
        instance.putEnrollment(EnrollmentSpec.group("g").symmetricKey(TestKeys.GROUP_KEY)
                .customAllocation(URI.create("http://127.0.0.1:9/api/allocate")).build());

        assertThatThrownBy(() -> register("lost-2", null)).hasStackTraceContaining("could not be reached");
    }
}
