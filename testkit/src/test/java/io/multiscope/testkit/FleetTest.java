package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.attestation.SasToken;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several instances on one listener, as a multi-DPS library sees them. */
class FleetTest {

    @RegisterExtension
    static final DpsEmulatorExtension DPS = DpsEmulatorExtension.with(b -> b
            .instance("dps-a", i -> i.idScope("0ne0000000A")
                    .linkedHub("hub-a1.azure-devices.net", 1, true)
                    .linkedHub("hub-a2.azure-devices.net", 3, true)
                    .linkedHub("hub-a3.azure-devices.net", 1, false))
            .instance("dps-b", i -> i.idScope("0ne0000000B").registrationsPerMinute(10_000))
            .instantAssignment(true))
            .resetBeforeEachTest();

    RawDps raw;

    @BeforeEach
    void setUp(DpsEmulator dps) {
        raw = new RawDps(dps);
        dps.instance("dps-a").createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);
        dps.instance("dps-b").createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);
    }

    private RawDps.Response register(String scope, String id) {
        return raw.device("PUT", scope + "/registrations/" + id + "/register" + RawDps.API,
                RawDps.deviceSas(scope, id, SasToken.deriveDeviceKey(TestKeys.GROUP_KEY, id)),
                "{\"registrationId\":\"" + id + "\"}");
    }

    @Test
    void instancesShareTheListenerButNotTheirState(DpsEmulator dps) throws Exception {
        assertThat(dps.instance("dps-a").deviceEndpoint()).isEqualTo(dps.instance("dps-b").deviceEndpoint())
                .isEqualTo(dps.deviceEndpoint());
        SdkDevice.register(dps.deviceEndpoint(), "0ne0000000B",
                TestSymmetricKeySecurityProvider.forGroupDevice("dev-1", TestKeys.GROUP_KEY, dps.certificates()));

        assertThat(dps.instance("dps-b").registration("dev-1")).isPresent();
        assertThat(dps.instance("dps-a").registration("dev-1")).isEmpty();
        assertThat(dps.instance("dps-b").counters().registrations()).isEqualTo(1);
        assertThat(dps.instance("dps-a").counters().registrations()).isZero();
        assertThat(dps.instanceByIdScope("0ne0000000b")).contains(dps.instance("dps-b"));
    }

    @Test
    void hashedAllocationFollowsWeightsAndTheApplySwitchAndIsStable(DpsEmulator dps) {
        for (int i = 0; i < 400; i++) {
            assertThat(register("0ne0000000A", "spread-" + i).status()).isEqualTo(200);
        }
        Map<String, Long> perHub = dps.instance("dps-a").assignedDevicesPerHub();

        assertThat(perHub).doesNotContainKey("hub-a3.azure-devices.net");
        assertThat(perHub.get("hub-a1.azure-devices.net")).isBetween(60L, 140L);
        assertThat(perHub.get("hub-a2.azure-devices.net")).isBetween(260L, 340L);

        String hub = dps.instance("dps-a").registration("spread-7").orElseThrow().assignedHub();
        register("0ne0000000A", "spread-7");
        assertThat(dps.instance("dps-a").registration("spread-7").orElseThrow().assignedHub()).isEqualTo(hub);
    }

    @Test
    void geoLatencyAllocatesAsHashed(DpsEmulator dps) {
        EmulatedDpsInstance a = dps.instance("dps-a");
        register("0ne0000000A", "geo-1");
        String hashedHub = a.registration("geo-1").orElseThrow().assignedHub();
        a.deleteRegistration("geo-1");
        a.putEnrollment(EnrollmentSpec.group("grp").symmetricKey(TestKeys.GROUP_KEY)
                .allocation(AllocationPolicy.GEO_LATENCY).build());

        register("0ne0000000A", "geo-1");

        assertThat(a.registration("geo-1").orElseThrow().assignedHub()).isEqualTo(hashedHub);
    }

    @Test
    void aDownInstanceDropsItsConnectionsWhileTheOthersAnswer(DpsEmulator dps) throws Exception {
        EmulatedDpsInstance a = dps.instance("dps-a");
        a.takeDown();

        assertThatThrownBy(() -> SdkDevice.register(dps.deviceEndpoint(), "0ne0000000A",
                TestSymmetricKeySecurityProvider.forGroupDevice("dev-2", TestKeys.GROUP_KEY, dps.certificates())))
                .hasStackTraceContaining("ProvisioningDeviceTransportException");
        assertThat(a.counters().dropped()).isPositive();
        assertThat(register("0ne0000000B", "dev-2").status()).isEqualTo(200);

        a.bringUp();
        assertThat(register("0ne0000000A", "dev-2").status()).isEqualTo(200);
    }

    @Test
    void delayedRequestsAreStillAnswered(DpsEmulator dps) {
        dps.instance("dps-b").delayNext(1, Duration.ofMillis(50), RequestKind.REGISTER);

        assertThat(register("0ne0000000B", "slow-1").status()).isEqualTo(200);
        assertThat(dps.instance("dps-b").counters().faultsInjected()).isZero();
        assertThat(dps.instance("dps-b").counters().registrations()).isEqualTo(1);
    }

    @Test
    void statusLookupReturnsTheRegistrationState(DpsEmulator dps) {
        String sas = RawDps.deviceSas("0ne0000000B", "look-1", SasToken.deriveDeviceKey(TestKeys.GROUP_KEY, "look-1"));
        RawDps.Response before = raw.device("POST", "0ne0000000B/registrations/look-1" + RawDps.API, sas,
                "{\"registrationId\":\"look-1\"}");
        assertThat(before.status()).isEqualTo(404);

        register("0ne0000000B", "look-1");
        RawDps.Response after = raw.device("POST", "0ne0000000B/registrations/look-1" + RawDps.API, sas,
                "{\"registrationId\":\"look-1\"}");

        assertThat(after.status()).isEqualTo(200);
        assertThat(after.json().path("status").asText()).isEqualTo("assigned");
        assertThat(after.json().path("assignedHub").asText()).isEqualTo("dps-b-hub.azure-devices.net");
        assertThat(dps.instance("dps-b").counters().statusLookups()).isEqualTo(2);
    }

    @Test
    void linkedHubsCanChangeAtRunTime(DpsEmulator dps) {
        EmulatedDpsInstance a = dps.instance("dps-a");
        a.unlinkHub("hub-a1.azure-devices.net");
        a.linkHub(new LinkedHub("hub-a2.azure-devices.net", 1, false));
        a.linkHub(LinkedHub.of("hub-a4.azure-devices.net"));

        register("0ne0000000A", "moved-1");

        assertThat(a.registration("moved-1").orElseThrow().assignedHub()).isEqualTo("hub-a4.azure-devices.net");
        assertThat(a.linkedHubs()).extracting(LinkedHub::hostName).containsExactlyInAnyOrder(
                "hub-a2.azure-devices.net", "hub-a3.azure-devices.net", "hub-a4.azure-devices.net");
    }
}
