package io.multiscope.testkit;

import io.multiscope.core.time.VirtualClock;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.core.attestation.SasToken;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DPS's rate limits, counted in a virtual clock so that nothing sleeps. */
class QuotaTest {

    static final String SCOPE = "0ne000QUOTA";
    static final VirtualClock CLOCK = VirtualClock.startingNow();
    static DpsEmulator dps;
    static EmulatedDpsInstance instance;
    static RawDps raw;
    static ServiceClientRouting routing;

    @BeforeAll
    static void start() {
        dps = DpsEmulator.builder()
                .instance("dps-quota", i -> i.idScope(SCOPE).registrationsPerMinute(60).operationsPerMinute(5)
                        .pollsPerDevicePer10Seconds(5))
                .clock(CLOCK)
                .start();
        instance = dps.instance("dps-quota");
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
        instance.createSymmetricKeyGroup("grp", TestKeys.GROUP_KEY);
    }

    private static RawDps.Response register(String id) {
        return raw.device("PUT", SCOPE + "/registrations/" + id + "/register" + RawDps.API, sas(id),
                "{\"registrationId\":\"" + id + "\"}");
    }

    private static String sas(String id) {
        return RawDps.deviceSas(SCOPE, id, SasToken.deriveDeviceKey(TestKeys.GROUP_KEY, id));
    }

    @Test
    void the61stRegistrationInAMinuteIsThrottled() {
        for (int i = 0; i < 60; i++) {
            assertThat(register("q-" + i).status()).isEqualTo(202);
            CLOCK.advance(Duration.ofMillis(500));
        }
        // 30 s into the window: the first registration frees its slot 30 s from now.
        RawDps.Response throttled = register("q-60");

        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isEqualTo("30");
        assertThat(throttled.json().path("errorCode").asInt()).isEqualTo(429001);
        assertThat(throttled.json().path("message").asText()).isEqualTo("Operations are being throttled for this tenant.");
        assertThat(throttled.json().path("trackingId").asText()).isNotEmpty();
        assertThat(throttled.json().path("timestampUtc").asText()).endsWith("Z");
        assertThat(instance.counters().throttled()).isEqualTo(1);
        assertThat(instance.registration("q-60")).isEmpty();

        CLOCK.advance(Duration.ofSeconds(30));
        assertThat(register("q-60").status()).isEqualTo(202);
    }

    @Test
    void aDevicePollingMoreThanFiveTimesIn10SecondsIsThrottled() {
        String operationId = register("poller").json().path("operationId").asText();
        String poll = SCOPE + "/registrations/poller/operations/" + operationId + RawDps.API;
        for (int i = 0; i < 5; i++) {
            assertThat(raw.device("GET", poll, sas("poller"), null).status()).isEqualTo(200);
            CLOCK.advance(Duration.ofSeconds(1));
        }
        RawDps.Response throttled = raw.device("GET", poll, sas("poller"), null);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isEqualTo("5");

        // Another device is not affected.
        String other = register("other").json().path("operationId").asText();
        assertThat(raw.device("GET", SCOPE + "/registrations/other/operations/" + other + RawDps.API, sas("other"),
                null).status()).isEqualTo(200);

        CLOCK.advance(Duration.ofSeconds(5));
        assertThat(raw.device("GET", poll, sas("poller"), null).status()).isEqualTo(200);
    }

    @Test
    void serviceOperationsHaveTheirOwnQuota() {
        for (int i = 0; i < 5; i++) {
            assertThat(raw.service(instance, "GET", "enrollmentGroups/grp" + RawDps.API, null).status())
                    .isEqualTo(200);
        }
        RawDps.Response throttled = raw.service(instance, "GET", "enrollmentGroups/grp" + RawDps.API, null);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(Integer.parseInt(throttled.header("Retry-After"))).isBetween(1, 60);

        // Device registrations are counted separately.
        assertThat(register("unaffected").status()).isEqualTo(202);
        CLOCK.advance(Duration.ofMinutes(1));
        assertThat(raw.service(instance, "GET", "enrollmentGroups/grp" + RawDps.API, null).status()).isEqualTo(200);
    }
}
