package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.testkit.RegistrationView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** First boot, reboot and corrupt state, through the provisioning API and directly, with the real Azure SDK. */
class BootFlowTest {

    @TempDir
    Path dir;

    TestEnvironment env;

    @AfterEach
    void stop() {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void firstBootThroughTheProvisioningApiRegistersWithTheInstanceTheApiNamesAndPersists() throws Exception {
        env = TestEnvironment.start("dps-a").withApi();
        RecordingListener events = new RecordingListener();
        Path file = dir.resolve("state/provisioning.json");
        DeviceProvisioner device = env.viaApi(env.device("sensor-1", events))
                .stateStore(FileStateStore.at(file)).payload("{\"modelId\":\"dtmi:acme:thermostat;1\"}").build();

        ProvisioningResult result = device.ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.source()).contains(ProvisioningResult.Source.REGISTERED);
        assertThat(result.registrationId()).isEqualTo("sensor-1");
        assertThat(result.assignedHub()).isEqualTo("dps-a-hub.azure-devices.net");
        assertThat(result.deviceId()).isEqualTo("sensor-1");
        assertThat(result.globalEndpoint()).isEqualTo(env.dps.deviceEndpoint());
        assertThat(result.idScope()).isEqualTo(env.instance("dps-a").idScope());
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(1);
        RegistrationView dpsSide = env.instance("dps-a").registration("sensor-1").orElseThrow();
        assertThat(dpsSide.status()).isEqualTo("assigned");
        assertThat(env.service.lookup("sensor-1")).isPresent();

        String saved = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(saved).contains("\"format\":\"multiscope-device-state\"", "\"version\":1",
                "dps-a-hub.azure-devices.net");
        assertThat(events.types()).startsWith(Type.STAGGER).endsWith(Type.PROVISIONED);
        assertThat(events.of(Type.STAGGER).get(0).delay().orElseThrow()).isBetween(Duration.ZERO,
                Duration.ofSeconds(10));
    }

    @Test
    void aRebootWithAStoredResultMakesNoNetworkCallAtAll() throws Exception {
        env = TestEnvironment.start("dps-a").withApi();
        Path file = dir.resolve("provisioning.json");
        ProvisioningResult first = env.viaApi(env.device("sensor-2", new RecordingListener()))
                .stateStore(FileStateStore.at(file)).build().ensureProvisioned();
        long dpsBefore = env.dpsRequests();
        long apiBefore = env.service.stats().stickyHits() + env.service.stats().newAssignments()
                + env.service.stats().cacheHits();
        env.time.clearSleeps();

        RecordingListener events = new RecordingListener();
        DeviceProvisioner rebooted = env.viaApi(env.device("sensor-2", events)).stateStore(FileStateStore.at(file))
                .build();
        ProvisioningResult second = rebooted.ensureProvisioned();

        assertThat(second).isEqualTo(first);
        assertThat(second.source()).contains(ProvisioningResult.Source.STORED);
        assertThat(env.dpsRequests()).isEqualTo(dpsBefore);
        assertThat(env.service.stats().stickyHits() + env.service.stats().newAssignments()
                + env.service.stats().cacheHits()).isEqualTo(apiBefore);
        assertThat(events.all()).isEmpty();
        assertThat(env.time.sleeps()).as("not even a stagger").isEmpty();
        assertThat(rebooted.current()).isEqualTo(first);
    }

    @Test
    void firstBootDirectlyWithDpsLooksUpTheRegistrationStatusFirst() throws Exception {
        env = TestEnvironment.start("dps-a");
        RecordingListener events = new RecordingListener();
        ProvisioningResult result = env.direct(env.device("direct-1", events), "dps-a").build().ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(result.source()).contains(ProvisioningResult.Source.REGISTERED);
        assertThat(env.instance("dps-a").counters().statusLookups()).isEqualTo(1);
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(1);
    }

    @Test
    void aDeviceThatLostItsStateIsFoundByTheStatusLookupWithoutRegisteringAgain() throws Exception {
        env = TestEnvironment.start("dps-a");
        ProvisioningResult first = env.direct(env.device("direct-2", new RecordingListener()), "dps-a").build()
                .ensureProvisioned();
        long registrations = env.registrations();

        // A new in-memory store: the state is gone, as after a flash wipe.
        ProvisioningResult again = env.direct(env.device("direct-2", new RecordingListener()), "dps-a").build()
                .ensureProvisioned();

        assertThat(again.source()).contains(ProvisioningResult.Source.STATUS_LOOKUP);
        assertThat(again.assignedHub()).isEqualTo(first.assignedHub());
        assertThat(again.deviceId()).isEqualTo(first.deviceId());
        assertThat(env.registrations()).isEqualTo(registrations);
    }
}
