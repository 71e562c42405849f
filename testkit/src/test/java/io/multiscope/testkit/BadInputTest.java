package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.multiscope.core.attestation.SasToken;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Input no SDK would send: the emulator answers as DPS does, with a status and a DPS error body, and changes nothing. */
class BadInputTest {

    static final String SCOPE = "0ne00000BAD";
    static DpsEmulator dps;
    static EmulatedDpsInstance instance;
    static RawDps raw;
    static ServiceClientRouting routing;

    @BeforeAll
    static void start() {
        dps = DpsEmulator.builder().instance("dps-bad", i -> i.idScope(SCOPE)).instantAssignment(true).start();
        instance = dps.instance("dps-bad");
        routing = ServiceClientRouting.install(dps);
        raw = new RawDps(dps);
    }

    @AfterAll
    static void stop() {
        routing.close();
        dps.close();
    }

    @BeforeEach
    void reset() {
        dps.reset();
        instance.createSymmetricKeyEnrollment("dev-1", TestKeys.GROUP_KEY);
    }

    private static String sas() {
        return RawDps.deviceSas(SCOPE, "dev-1", TestKeys.GROUP_KEY);
    }

    private static void assertDpsError(RawDps.Response response, int status, String messagePart) {
        assertThat(response.status()).isEqualTo(status);
        JsonNode body = response.json();
        assertThat(body.path("errorCode").asInt() / 1000).isEqualTo(status);
        assertThat(body.path("message").asText()).contains(messagePart);
        assertThat(body.path("trackingId").asText()).isNotEmpty();
        assertThat(body.path("timestampUtc").asText()).isNotEmpty();
    }

    @Test
    void malformedJson() {
        assertDpsError(raw.device("PUT", SCOPE + "/registrations/dev-1/register" + RawDps.API, sas(),
                "{\"registrationId\": "), 400, "not valid JSON");
        assertDpsError(raw.device("PUT", SCOPE + "/registrations/dev-1/register" + RawDps.API, sas(), "[1,2]"),
                400, "must be a JSON object");
        assertDpsError(raw.service(instance, "PUT", "enrollments/dev-2" + RawDps.API, "{oops"), 400,
                "not valid JSON");
        assertThat(instance.registrations()).isEmpty();
    }

    @Test
    void wrongOrMissingApiVersion() {
        assertDpsError(raw.device("PUT", SCOPE + "/registrations/dev-1/register?api-version=banana", sas(),
                "{\"registrationId\":\"dev-1\"}"), 400, "api-version 'banana' is not supported");
        assertDpsError(raw.device("PUT", SCOPE + "/registrations/dev-1/register", sas(),
                "{\"registrationId\":\"dev-1\"}"), 400, "api-version query parameter is missing");
        assertDpsError(raw.service(instance, "GET", "enrollments/dev-1?api-version=2016-01-01", null), 400,
                "not supported");
        // Newer published versions are accepted; the emulator serves the 2019-03-31 schema for all.
        assertThat(raw.device("PUT", SCOPE + "/registrations/dev-1/register?api-version=2021-10-01", sas(),
                "{\"registrationId\":\"dev-1\"}").status()).isEqualTo(200);
    }

    @Test
    void unknownIdScopeOrServiceHost() {
        assertDpsError(raw.device("PUT", "0ne99999999/registrations/dev-1/register" + RawDps.API,
                RawDps.deviceSas("0ne99999999", "dev-1", TestKeys.GROUP_KEY), "{}"), 404,
                "No DPS instance has the ID scope '0ne99999999'");
        assertDpsError(raw.send("GET", "https://" + dps.deviceEndpoint() + "/enrollments/dev-1" + RawDps.API,
                RawDps.serviceSas(instance), null), 404, "No DPS instance answers to the host name 'localhost'");
    }

    @Test
    void registrationIdBreakingDpsRules() {
        assertDpsError(raw.device("PUT", SCOPE + "/registrations/dev_1./register" + RawDps.API,
                RawDps.deviceSas(SCOPE, "dev_1.", TestKeys.GROUP_KEY), "{}"), 400, "ends with '.'");
        String tooLong = "d".repeat(129);
        assertDpsError(raw.device("PUT", SCOPE + "/registrations/" + tooLong + "/register" + RawDps.API,
                RawDps.deviceSas(SCOPE, tooLong, TestKeys.GROUP_KEY), "{}"), 400, "at most 128");
        assertDpsError(raw.service(instance, "PUT", "enrollments/bad%21id" + RawDps.API,
                "{\"attestation\":{\"type\":\"symmetricKey\"}}"), 400, "contains '!'");
        assertDpsError(raw.device("PUT", SCOPE + "/registrations/dev-1/register" + RawDps.API, sas(),
                "{\"registrationId\":\"dev-2\"}"), 400, "differs from 'dev-1'");
    }

    @Test
    void badCredentials() {
        assertDpsError(raw.device("PUT", SCOPE + "/registrations/dev-1/register" + RawDps.API, null, "{}"), 401,
                "neither a SAS token");
        String expired = SasToken.forDevice(SasToken.deviceResource(SCOPE, "dev-1"), TestKeys.GROUP_KEY,
                Instant.now().minusSeconds(5));
        assertDpsError(raw.device("PUT", SCOPE + "/registrations/dev-1/register" + RawDps.API, expired, "{}"), 401,
                "expired");
        assertDpsError(raw.device("PUT", SCOPE + "/registrations/dev-1/register" + RawDps.API,
                RawDps.deviceSas(SCOPE, "dev-9", TestKeys.GROUP_KEY), "{}"), 401, "is for '" + SCOPE
                + "/registrations/dev-9'");
        assertDpsError(raw.send("GET", "https://" + instance.serviceHostName() + "/enrollments/dev-1" + RawDps.API,
                "SharedAccessSignature sr=x&sig=y&se=1&skn=z", null), 401, "is for 'x'");
    }

    @Test
    void invalidEnrollments() {
        assertDpsError(raw.service(instance, "PUT", "enrollments/dev-3" + RawDps.API, "{}"), 400,
                "needs an attestation");
        assertDpsError(raw.service(instance, "PUT", "enrollments/dev-3" + RawDps.API,
                "{\"attestation\":{\"type\":\"symmetricKey\"},\"allocationPolicy\":\"random\"}"), 400,
                "Unknown allocation policy 'random'");
        assertDpsError(raw.service(instance, "PUT", "enrollments/dev-3" + RawDps.API,
                "{\"attestation\":{\"type\":\"symmetricKey\"},\"allocationPolicy\":\"custom\"}"), 400,
                "webhookUrl");
        assertDpsError(raw.service(instance, "PUT", "enrollments/dev-3" + RawDps.API,
                "{\"attestation\":{\"type\":\"symmetricKey\"},\"iotHubs\":[\"nowhere.azure-devices.net\"]}"), 400,
                "is not linked");
        assertDpsError(raw.service(instance, "PUT", "enrollmentGroups/g" + RawDps.API,
                "{\"attestation\":{\"type\":\"tpm\",\"tpm\":{\"endorsementKey\":\"AA==\"}}}"), 400,
                "cannot use TPM");
        assertDpsError(raw.service(instance, "PUT", "enrollments/dev-3" + RawDps.API,
                "{\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"c2hvcnQ=\"}}}"), 400,
                "16 to 64");
        assertDpsError(raw.service(instance, "POST", "enrollments/query" + RawDps.API,
                "{\"query\":\"SELECT * FROM enrollments WHERE x = 1\"}"), 400, "supports only the query");
        assertThat(raw.service(instance, "GET", "enrollments/dev-3" + RawDps.API, null).status()).isEqualTo(404);
    }
}
