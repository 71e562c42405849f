package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.device.ProvisioningEvent.Step;
import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.testkit.EmulatedDpsInstance;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reprovisioning on demand (a hub command, an installer) through the same retry and circuit logic. */
class ReprovisionTest {

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
    void reprovisionMovesTheDeviceWhenTheProvisioningApiPlacesItElsewhere() throws Exception {
        env = TestEnvironment.start("dps-a", "dps-b").withApi();
        Path file = dir.resolve("state.json");
        DeviceProvisioner device = env.viaApi(env.device("mover-1", new RecordingListener()))
                .stateStore(FileStateStore.at(file)).build();
        ProvisioningResult before = device.ensureProvisioned();
        String from = env.dps.instanceByIdScope(before.idScope()).orElseThrow().name();
        String to = from.equals("dps-a") ? "dps-b" : "dps-a";

        env.service.drain(from);   // the operator empties the instance: its devices are to go elsewhere
        RecordingListener events = new RecordingListener();
        DeviceProvisioner commanded = env.viaApi(env.device("mover-1", events)).stateStore(FileStateStore.at(file))
                .build();
        ProvisioningResult after = commanded.reprovision("hub command");

        assertThat(after.isProvisioned()).as(after.toString()).isTrue();
        EmulatedDpsInstance target = env.instance(to);
        assertThat(after.idScope()).isEqualTo(target.idScope());
        assertThat(after.assignedHub()).isEqualTo(to + "-hub.azure-devices.net");
        assertThat(target.registration("mover-1").orElseThrow().status()).isEqualTo("assigned");
        assertThat(env.service.lookup("mover-1").orElseThrow().instanceId()).isEqualTo(to);
        assertThat(events.of(Type.PROVISIONED)).hasSize(1);
        // Stored: the next boot uses the new assignment without a network call.
        ProvisioningResult reboot = env.viaApi(env.device("mover-1", new RecordingListener()))
                .stateStore(FileStateStore.at(file)).build().ensureProvisioned();
        assertThat(reboot.source()).contains(ProvisioningResult.Source.STORED);
        assertThat(reboot.idScope()).isEqualTo(target.idScope());
    }

    @Test
    void reprovisionStaysPutWhenTheApiKeepsTheDeviceWhereItIs() throws Exception {
        env = TestEnvironment.start("dps-a").withApi();
        DeviceProvisioner device = env.viaApi(env.device("stayer-1", new RecordingListener())).build();
        ProvisioningResult before = device.ensureProvisioned();

        ProvisioningResult after = device.reprovision("installer");

        assertThat(after.idScope()).isEqualTo(before.idScope());
        assertThat(after.assignedHub()).isEqualTo(before.assignedHub());
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(2);
    }

    @Test
    void aFailedReprovisionKeepsThePreviousAssignment() {
        env = TestEnvironment.start("dps-a");
        Path file = dir.resolve("state.json");
        DeviceProvisioner device = env.direct(env.device("keeper-1", new RecordingListener()), "dps-a")
                .stateStore(FileStateStore.at(file)).build();
        ProvisioningResult before = device.ensureProvisioned();
        env.instance("dps-a").takeDown();
        RecordingListener events = new RecordingListener();

        ProvisioningResult failed = env.direct(env.device("keeper-1", events), "dps-a")
                .stateStore(FileStateStore.at(file)).build().reprovision("hub command");

        assertThat(failed.isProvisioned()).isFalse();
        assertThat(events.of(Type.ATTEMPT_FAILED)).allSatisfy(e -> assertThat(e.step())
                .contains(Step.DPS_REGISTER));
        assertThat(device.current()).isEqualTo(before);
        assertThat(device.ensureProvisioned()).isEqualTo(before);
    }

    @Test
    void directReprovisionRegistersAgainWithoutAStatusLookup() {
        env = TestEnvironment.start("dps-a");
        DeviceProvisioner device = env.direct(env.device("direct-again", new RecordingListener()), "dps-a").build();
        device.ensureProvisioned();
        long lookups = env.instance("dps-a").counters().statusLookups();

        ProvisioningResult again = device.reprovision("factory reset");

        assertThat(again.source()).contains(ProvisioningResult.Source.REGISTERED);
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(2);
        assertThat(env.instance("dps-a").counters().statusLookups()).isEqualTo(lookups);
        assertThat(env.instance("dps-a").registration("direct-again").orElseThrow().substatus())
                .isEqualTo("reprovisionedToInitialAssignment");
    }
}
