package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DPS's own rhythm: 202 assigning with Retry-After, then the result on a poll. The SDK tests here cost 2 s each. */
class RealisticModeTest {

    static final String SCOPE = "0ne0000REAL";
    static DpsEmulator dps;
    static EmulatedDpsInstance instance;
    static RawDps raw;

    @BeforeAll
    static void start() {
        dps = DpsEmulator.builder()
                .instance("dps-real", i -> i.idScope(SCOPE).linkedHub("hub-r.azure-devices.net"))
                .assigningRetryAfterSeconds(2)
                .start();
        instance = dps.instance("dps-real");
        raw = new RawDps(dps);
    }

    @AfterAll
    static void stop() {
        dps.close();
    }

    @BeforeEach
    void reset() {
        dps.reset();
        instance.createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);
    }

    @Test
    void sdkPollsOnceAndIsAssigned() throws Exception {
        ProvisioningDeviceClientRegistrationResult result = SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                TestSymmetricKeySecurityProvider.forGroupDevice("slow-1", TestKeys.GROUP_KEY, dps.certificates()));

        assertThat(result.getIothubUri()).isEqualTo("hub-r.azure-devices.net");
        assertThat(instance.counters().registrations()).isEqualTo(1);
        assertThat(instance.counters().operationStatusPolls()).isEqualTo(1);
    }

    @Test
    void throttledPollFailsTheRegistrationWith429() {
        instance.failNext(1, 429, RequestKind.OPERATION_STATUS);

        assertThatThrownBy(() -> SdkDevice.register(dps.deviceEndpoint(), SCOPE,
                TestSymmetricKeySecurityProvider.forGroupDevice("slow-2", TestKeys.GROUP_KEY, dps.certificates())))
                .hasStackTraceContaining("429");
        assertThat(instance.counters().operationStatusPolls()).isEqualTo(1);
    }

    @Test
    void registerAnswers202AssigningWithAnIntegerRetryAfterThenThePollAnswersTheResult() {
        String sas = RawDps.deviceSas(SCOPE, "raw-1", io.multiscope.core.attestation.SasToken
                .deriveDeviceKey(TestKeys.GROUP_KEY, "raw-1"));

        RawDps.Response put = raw.device("PUT", SCOPE + "/registrations/raw-1/register" + RawDps.API, sas,
                "{\"registrationId\":\"raw-1\"}");
        assertThat(put.status()).isEqualTo(202);
        assertThat(put.header("Retry-After")).isEqualTo("2");
        assertThat(put.json().path("status").asText()).isEqualTo("assigning");
        String operationId = put.json().path("operationId").asText();
        assertThat(operationId).isNotEmpty();
        // DPS assigns in the background; only the device has to poll to learn the result.
        assertThat(instance.registration("raw-1").orElseThrow().status()).isEqualTo("assigned");

        RawDps.Response poll = raw.device("GET",
                SCOPE + "/registrations/raw-1/operations/" + operationId + RawDps.API, sas, null);
        assertThat(poll.status()).isEqualTo(200);
        JsonNode state = poll.json().path("registrationState");
        assertThat(poll.json().path("operationId").asText()).isEqualTo(operationId);
        assertThat(state.path("status").asText()).isEqualTo("assigned");
        assertThat(state.path("assignedHub").asText()).isEqualTo("hub-r.azure-devices.net");
        assertThat(state.path("symmetricKey").path("enrollmentGroupId").asText()).isEqualTo("grp");
        assertThat(instance.registration("raw-1").orElseThrow().status()).isEqualTo("assigned");

        RawDps.Response unknown = raw.device("GET",
                SCOPE + "/registrations/raw-1/operations/5.0.nope" + RawDps.API, sas, null);
        assertThat(unknown.status()).isEqualTo(404);
    }

    @Test
    void extraAssigningPollsCanBeConfigured() {
        try (DpsEmulator slow = DpsEmulator.builder().instance("s", i -> i.idScope("0ne0000SLOW"))
                .assigningPolls(2).start()) {
            slow.instance("s").createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);
            RawDps client = new RawDps(slow);
            String sas = RawDps.deviceSas("0ne0000SLOW", "raw-2",
                    io.multiscope.core.attestation.SasToken.deriveDeviceKey(TestKeys.GROUP_KEY, "raw-2"));
            String operationId = client.device("PUT", "0ne0000SLOW/registrations/raw-2/register" + RawDps.API, sas,
                    "{\"registrationId\":\"raw-2\"}").json().path("operationId").asText();
            String poll = "0ne0000SLOW/registrations/raw-2/operations/" + operationId + RawDps.API;

            assertThat(client.device("GET", poll, sas, null).status()).isEqualTo(202);
            assertThat(client.device("GET", poll, sas, null).status()).isEqualTo(202);
            assertThat(client.device("GET", poll, sas, null).status()).isEqualTo(200);
            assertThat(client.device("GET", poll, sas, null).json().path("status").asText()).isEqualTo("assigned");
        }
    }

    @Test
    void disabledOutcomeCarriesItsRegistrationState() {
        instance.putEnrollment(EnrollmentSpec.individual("raw-off").symmetricKey(TestKeys.GROUP_KEY).enabled(false)
                .build());
        String sas = RawDps.deviceSas(SCOPE, "raw-off", TestKeys.GROUP_KEY);
        String operationId = raw.device("PUT", SCOPE + "/registrations/raw-off/register" + RawDps.API, sas,
                "{\"registrationId\":\"raw-off\"}").json().path("operationId").asText();

        JsonNode poll = raw.device("GET", SCOPE + "/registrations/raw-off/operations/" + operationId + RawDps.API,
                sas, null).json();

        // The SDK hangs when a failed or disabled answer lacks registrationState.
        assertThat(poll.path("status").asText()).isEqualTo("disabled");
        assertThat(poll.path("registrationState").path("registrationId").asText()).isEqualTo("raw-off");
        assertThat(poll.path("registrationState").path("status").asText()).isEqualTo("disabled");
        assertThat(poll.path("registrationState").path("errorMessage").asText()).contains("disabled");
    }
}
