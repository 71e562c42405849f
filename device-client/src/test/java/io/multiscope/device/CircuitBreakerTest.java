package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.testkit.EmulatedDpsInstance;
import io.multiscope.testkit.RequestKind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The circuit breaker in virtual time against an emulated DPS instance that goes down and comes back. */
class CircuitBreakerTest {

    @TempDir
    Path dir;

    TestEnvironment env;

    @AfterEach
    void stop() {
        if (env != null) {
            env.close();
        }
    }

    private DeviceProvisioner device(String id, RecordingListener events) {
        return env.direct(env.device(id, events), "dps-a").dpsStatusLookup(false)
                .stateStore(FileStateStore.at(dir.resolve("state.json")))
                .circuitBreaker(CircuitBreakerPolicy.builder().failureThreshold(3).openDuration(Duration.ofMinutes(10))
                        .maxOpenDuration(Duration.ofMinutes(30)).build())
                .build();
    }

    @Test
    void theCircuitOpensAfterConsecutiveFailuresAndThenMakesNoCallsEvenAfterAReboot() {
        env = TestEnvironment.start("dps-a");
        EmulatedDpsInstance dps = env.instance("dps-a");
        dps.takeDown();
        RecordingListener events = new RecordingListener();

        Instant start = env.time.instant();
        ProvisioningResult result = device("breaker-1", events).ensureProvisioned();

        assertThat(result.reason()).contains(ProvisioningResult.Reason.CIRCUIT_OPEN);
        assertThat(events.of(Type.ATTEMPT_FAILED)).hasSize(3)
                .allSatisfy(e -> assertThat(e.failureKind()).contains(FailureKind.TRANSIENT));
        ProvisioningEvent opened = events.of(Type.CIRCUIT_OPENED).get(0);
        Instant openedAt = opened.at();
        // Open for half to all of the nominal 10 minutes, so a fleet does not come back in step.
        assertThat(opened.until().orElseThrow()).isBetween(openedAt.plus(Duration.ofMinutes(5)),
                openedAt.plus(Duration.ofMinutes(10)));
        assertThat(result.retryNotBefore()).isEqualTo(opened.until());
        assertThat(openedAt).isAfter(start);

        long requests = dps.counters().total();
        env.time.clearSleeps();
        RecordingListener later = new RecordingListener();
        ProvisioningResult again = device("breaker-1", later).ensureProvisioned();   // a reboot: new provisioner

        assertThat(again.reason()).contains(ProvisioningResult.Reason.CIRCUIT_OPEN);
        assertThat(later.types()).containsExactly(Type.CIRCUIT_REJECTED);
        assertThat(dps.counters().total()).isEqualTo(requests);
        assertThat(env.time.sleeps()).as("answered at once, no stagger").isEmpty();
    }

    @Test
    void afterItsOpenTimeTheCircuitLetsOneTrialThroughAndASuccessClosesIt() {
        env = TestEnvironment.start("dps-a");
        EmulatedDpsInstance dps = env.instance("dps-a");
        dps.takeDown();
        ProvisioningResult open = device("breaker-2", new RecordingListener()).ensureProvisioned();
        Instant until = open.retryNotBefore().orElseThrow();

        env.time.advance(Duration.between(env.time.instant(), until));
        dps.bringUp();
        RecordingListener events = new RecordingListener();
        ProvisioningResult result = device("breaker-2", events).ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(events.types()).startsWith(Type.CIRCUIT_HALF_OPEN).contains(Type.CIRCUIT_CLOSED)
                .endsWith(Type.PROVISIONED);
    }

    @Test
    void aFailedTrialReopensTheCircuitForLonger() {
        env = TestEnvironment.start("dps-a");
        env.instance("dps-a").takeDown();
        ProvisioningResult open = device("breaker-3", new RecordingListener()).ensureProvisioned();
        env.time.advance(Duration.between(env.time.instant(), open.retryNotBefore().orElseThrow()));

        RecordingListener events = new RecordingListener();
        ProvisioningResult reopened = device("breaker-3", events).ensureProvisioned();

        assertThat(reopened.reason()).contains(ProvisioningResult.Reason.CIRCUIT_OPEN);
        assertThat(events.of(Type.ATTEMPT_FAILED)).as("one failure is enough when half-open").hasSize(1);
        ProvisioningEvent opened = events.of(Type.CIRCUIT_OPENED).get(0);
        // The second opening is nominally 20 minutes: between 10 and 20.
        assertThat(opened.until().orElseThrow()).isBetween(opened.at().plus(Duration.ofMinutes(10)),
                opened.at().plus(Duration.ofMinutes(20)));
    }

    @Test
    void throttlingIsNotAFailureForTheBreaker() {
        env = TestEnvironment.start("dps-a");
        env.instance("dps-a").failNext(6, 429, RequestKind.REGISTER);
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = device("breaker-4", events).ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(events.of(Type.ATTEMPT_FAILED)).hasSize(6);
        assertThat(events.of(Type.CIRCUIT_OPENED)).isEmpty();
    }

    @Test
    void theDefaultStateWhileOpenIsTheUnprovisionedResultTheApplicationRunsWith() {
        env = TestEnvironment.start("dps-a");
        env.instance("dps-a").takeDown();
        DeviceProvisioner device = device("breaker-5", new RecordingListener());

        ProvisioningResult result = device.ensureProvisioned();

        assertThat(result.isProvisioned()).isFalse();
        assertThat(result.detail()).contains("circuit breaker");
        assertThat(device.current()).isEqualTo(ProvisioningResult.UNPROVISIONED);
        org.assertj.core.api.Assertions.assertThatIllegalStateException().isThrownBy(result::assignedHub)
                .withMessageContaining("CIRCUIT_OPEN");
    }
}
