package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.device.ProvisioningEvent.Type;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A device that knows it is offline makes no attempt, spends no budget and trips no breaker. */
class OfflineTest {

    TestEnvironment env;

    @AfterEach
    void stop() {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void noAttemptIsMadeWhileTheProbeSaysOffline() {
        env = TestEnvironment.start("dps-a");
        AtomicInteger checks = new AtomicInteger();
        long[] requestsWhileOffline = {-1};
        ConnectivityProbe probe = () -> {
            if (checks.incrementAndGet() <= 3) {
                requestsWhileOffline[0] = env.dpsRequests();
                return false;
            }
            return true;
        };
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = env.direct(env.device("offline-1", events), "dps-a").connectivityProbe(probe)
                .offlineRecheckInterval(Duration.ofSeconds(20)).build().ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(requestsWhileOffline[0]).isZero();
        assertThat(events.of(Type.OFFLINE)).hasSize(3)
                .allSatisfy(e -> assertThat(e.delay()).contains(Duration.ofSeconds(20)));
        assertThat(env.time.sleeps()).containsSubsequence(Duration.ofSeconds(20), Duration.ofSeconds(20),
                Duration.ofSeconds(20));
        assertThat(events.of(Type.ATTEMPT_FAILED)).isEmpty();
    }

    @Test
    void aDeviceOfflineForTheWholeBudgetEndsOfflineWithoutTouchingTheNetworkOrTheBreaker() {
        env = TestEnvironment.start("dps-a");
        RecordingListener events = new RecordingListener();
        CircuitBreakerPolicy touchy = CircuitBreakerPolicy.builder().failureThreshold(1).build();
        InMemoryStateStore store = new InMemoryStateStore();

        ProvisioningResult result = env.direct(env.device("offline-2", events), "dps-a").stateStore(store)
                .connectivityProbe(() -> false).circuitBreaker(touchy).build().ensureProvisioned();

        assertThat(result.reason()).contains(ProvisioningResult.Reason.OFFLINE);
        assertThat(env.dpsRequests()).isZero();
        Duration waited = env.time.sleeps().stream().reduce(Duration.ZERO, Duration::plus);
        assertThat(waited).isLessThanOrEqualTo(RetryBudget.firstProvisioning().maxElapsed()
                .plus(Duration.ofSeconds(10)));

        ProvisioningResult online = env.direct(env.device("offline-2", new RecordingListener()), "dps-a")
                .stateStore(store).circuitBreaker(touchy).build().ensureProvisioned();
        assertThat(online.isProvisioned()).as("the breaker did not count the offline time").isTrue();
    }

    @Test
    void aProbeThatThrowsDoesNotStopTheDevice() {
        env = TestEnvironment.start("dps-a");
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = env.direct(env.device("offline-3", events), "dps-a").connectivityProbe(() -> {
            throw new IllegalStateException("no such interface: wlan0");
        }).build().ensureProvisioned();

        assertThat(result.isProvisioned()).isTrue();
        assertThat(events.of(Type.OFFLINE)).singleElement().satisfies(e -> assertThat(e.detail())
                .contains("wlan0", "trying anyway"));
    }
}
