package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.device.ProvisioningEvent.Step;
import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.testkit.EmulatedDpsInstance;
import io.multiscope.testkit.RequestKind;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failures classified and retried as the DPS guidance asks, in virtual time: every wait the device makes is recorded
 * by the sleeper and asserted against the bounds of the rule that chose it.
 */
class RetryTest {

    TestEnvironment env;

    @AfterEach
    void stop() {
        if (env != null) {
            env.close();
        }
    }

    /** The waits after the stagger. */
    private List<Duration> retryWaits() {
        List<Duration> sleeps = env.time.sleeps();
        return sleeps.subList(1, sleeps.size());
    }

    @Test
    void aDeferralFromTheProvisioningApiIsWaitedOutForItsRetryAfterPlusAtMostTenPercent() throws Exception {
        // One registration a minute, one in the bucket: the second device is told to come back in about a minute.
        env = TestEnvironment.start("dps-a").withApi(1, a -> a.burst(Duration.ofMinutes(1)));
        assertThat(env.viaApi(env.device("early-bird", new RecordingListener())).build().ensureProvisioned()
                .isProvisioned()).isTrue();
        env.time.clearSleeps();

        RecordingListener events = new RecordingListener();
        ProvisioningResult result = env.viaApi(env.device("late-comer", events)).build().ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        ProvisioningEvent deferred = events.of(Type.ATTEMPT_FAILED).get(0);
        assertThat(deferred.step()).contains(Step.API_REQUEST);
        assertThat(deferred.status()).hasValue(429);
        assertThat(deferred.failureKind()).contains(FailureKind.THROTTLED);
        Duration asked = deferred.retryAfter().orElseThrow();
        assertThat(asked).isBetween(Duration.ofSeconds(40), Duration.ofSeconds(62));
        Duration waited = retryWaits().get(0);
        assertThat(waited).isBetween(asked, asked.plusMillis(asked.toMillis() / 10));
        assertThat(events.of(Type.ATTEMPT_FAILED)).hasSize(1);
        assertThat(env.registrations()).isEqualTo(2);
    }

    @Test
    void aDps429OnRegisterIsRetriedWithFullJitterBecauseTheSdkHidesItsRetryAfter() throws Exception {
        env = TestEnvironment.start("dps-a");
        env.instance("dps-a").failNext(1, 429, RequestKind.REGISTER);
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = env.direct(env.device("throttled-1", events), "dps-a").build()
                .ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        ProvisioningEvent failed = events.of(Type.ATTEMPT_FAILED).get(0);
        assertThat(failed.step()).contains(Step.DPS_REGISTER);
        assertThat(failed.status()).hasValue(429);
        assertThat(failed.failureKind()).contains(FailureKind.THROTTLED);
        assertThat(failed.retryAfter()).as("the SDK never exposes a 429's Retry-After").isEmpty();
        assertThat(retryWaits()).hasSize(1);
        assertThat(retryWaits().get(0)).isBetween(Duration.ZERO, RetryBudget.firstProvisioning().initialBackoff());
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(2);
        assertThat(env.instance("dps-a").counters().statusLookups()).as("looked up once per run").isEqualTo(1);
    }

    @Test
    void aRetryAfterOnTheDpsStatusLookupIsHonoured() throws Exception {
        env = TestEnvironment.start("dps-a");
        // The emulator sends Retry-After: 1 with injected 429s and 503s; this module's own calls can read it.
        env.instance("dps-a").failNext(1, 429, RequestKind.STATUS_LOOKUP);
        env.instance("dps-a").failNext(2, 503, RequestKind.STATUS_LOOKUP);
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = env.direct(env.device("lookup-throttled", events), "dps-a").build()
                .ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(events.of(Type.ATTEMPT_FAILED)).extracting(e -> e.status().getAsInt())
                .containsExactly(429, 503, 503);
        assertThat(events.of(Type.ATTEMPT_FAILED)).allSatisfy(e -> assertThat(e.retryAfter())
                .contains(Duration.ofSeconds(1)));
        assertThat(retryWaits()).hasSize(3).allSatisfy(d -> assertThat(d)
                .isBetween(Duration.ofSeconds(1), Duration.ofMillis(1100)));
    }

    @Test
    void fiveHundredsAreRetriedWithExponentialBackoffAndFullJitterThenSucceed() throws Exception {
        env = TestEnvironment.start("dps-a");
        env.instance("dps-a").failNext(2, 500, RequestKind.REGISTER);
        env.instance("dps-a").failNext(2, 503, RequestKind.REGISTER);
        RetryBudget budget = RetryBudget.builder().maxAttempts(6).initialBackoff(Duration.ofSeconds(1))
                .maxBackoff(Duration.ofSeconds(3)).build();
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = env.direct(env.device("flaky-1", events), "dps-a")
                .firstProvisioningBudget(budget).build().ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(events.of(Type.ATTEMPT_FAILED)).extracting(e -> e.status().getAsInt())
                .containsExactly(500, 500, 503, 503);
        assertThat(events.of(Type.ATTEMPT_FAILED)).allSatisfy(e -> assertThat(e.failureKind())
                .contains(FailureKind.TRANSIENT));
        List<Duration> waits = retryWaits();
        assertThat(waits).hasSize(4);
        // Ceilings 1 s, 2 s, then capped at 3 s; full jitter means anywhere from zero up to the ceiling.
        long[] ceilings = {1000, 2000, 3000, 3000};
        for (int i = 0; i < waits.size(); i++) {
            assertThat(waits.get(i).toMillis()).as("wait %d", i + 1).isBetween(0L, ceilings[i]);
        }
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(5);
    }

    @Test
    void aPermanent4xxStopsAtOnceWithoutARetryStorm() throws Exception {
        env = TestEnvironment.start("dps-a");
        env.instance("dps-a").failNext(50, 400, RequestKind.REGISTER);
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = env.direct(env.device("bad-request", events), "dps-a").build()
                .ensureProvisioned();

        assertThat(result.isProvisioned()).isFalse();
        assertThat(result.reason()).contains(ProvisioningResult.Reason.PERMANENT_FAILURE);
        assertThat(result.detail()).contains("400");
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(1);
        assertThat(retryWaits()).isEmpty();
    }

    @Test
    void aRequestTheProvisioningApiRefusesAsInvalidIsNotRetried() throws Exception {
        env = TestEnvironment.start("dps-a").withApi();
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = env.viaApi(env.device("lost-1", events)).region("moon-1").build()
                .ensureProvisioned();

        assertThat(result.reason()).contains(ProvisioningResult.Reason.PERMANENT_FAILURE);
        assertThat(events.of(Type.ATTEMPT_FAILED)).singleElement().satisfies(e -> {
            assertThat(e.step()).contains(Step.API_REQUEST);
            assertThat(e.status()).hasValue(400);
        });
        assertThat(env.dpsRequests()).isZero();
    }

    @Test
    void a401StartsOverFromScratchOnceThenStops() throws Exception {
        env = TestEnvironment.start("dps-a");
        env.instance("dps-a").failNext(50, 401, RequestKind.REGISTER);
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = env.direct(env.device("refused-1", events), "dps-a").build()
                .ensureProvisioned();

        assertThat(result.reason()).contains(ProvisioningResult.Reason.PERMANENT_FAILURE);
        assertThat(result.detail()).contains("again, after registering from scratch");
        EmulatedDpsInstance dps = env.instance("dps-a");
        assertThat(dps.counters().registrations()).isEqualTo(2);
        assertThat(dps.counters().statusLookups()).as("from scratch: the lookup too").isEqualTo(2);
        assertThat(events.of(Type.REREGISTER)).hasSize(1);
        assertThat(retryWaits()).as("starting over needs no wait").isEmpty();
    }

    @Test
    void aDeviceDpsDoesNotKnowGetsOneFreshStartNotAStorm() throws Exception {
        env = TestEnvironment.start("dps-a");
        RecordingListener events = new RecordingListener();
        // A key no enrollment derives: DPS answers 401 to the lookup itself.
        ProvisioningResult result = env.direct(env.base(events).symmetricKey("stranger-1",
                TestEnvironment.GROUP_KEY), "dps-a").build().ensureProvisioned();

        assertThat(result.reason()).contains(ProvisioningResult.Reason.PERMANENT_FAILURE);
        assertThat(env.instance("dps-a").counters().unauthorized()).isEqualTo(2);
        assertThat(env.instance("dps-a").counters().registrations()).isZero();
    }

    @Test
    void aDeviceTheProvisioningApiDoesNotAuthenticateStopsAfterOneFreshStart() throws Exception {
        env = TestEnvironment.start("dps-a").withApi();
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = env.viaApi(env.base(events).symmetricKey("impostor-1", TestEnvironment.GROUP_KEY))
                .build().ensureProvisioned();

        assertThat(result.reason()).contains(ProvisioningResult.Reason.PERMANENT_FAILURE);
        assertThat(events.of(Type.ATTEMPT_FAILED)).hasSize(2).allSatisfy(e -> {
            assertThat(e.step()).contains(Step.API_LOOKUP);
            assertThat(e.status()).hasValue(401);
            assertThat(e.failureKind()).contains(FailureKind.REREGISTER);
        });
        assertThat(env.dpsRequests()).isZero();
    }

    @Test
    void a404FromDpsMakesTheApiPlaceTheDeviceAgainAndTheSecondTrySucceeds() throws Exception {
        env = TestEnvironment.start("dps-a").withApi();
        env.instance("dps-a").failNext(1, 404, RequestKind.REGISTER);
        RecordingListener events = new RecordingListener();

        ProvisioningResult result = env.viaApi(env.device("moved-on", events)).build().ensureProvisioned();

        assertThat(result.isProvisioned()).as(result.toString()).isTrue();
        assertThat(events.of(Type.REREGISTER)).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("place the device again"));
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(2);
    }

    @Test
    void theRetryBudgetBoundsAttemptsAndTime() throws Exception {
        env = TestEnvironment.start("dps-a");
        env.instance("dps-a").failNext(100, 500, RequestKind.REGISTER);
        CircuitBreakerPolicy lenient = CircuitBreakerPolicy.builder().failureThreshold(100).build();
        ProvisioningResult byAttempts = env.direct(env.device("budget-1", new RecordingListener()), "dps-a")
                .dpsStatusLookup(false).circuitBreaker(lenient)
                .firstProvisioningBudget(RetryBudget.builder().maxAttempts(4).build()).build().ensureProvisioned();

        assertThat(byAttempts.reason()).contains(ProvisioningResult.Reason.RETRY_BUDGET_EXHAUSTED);
        assertThat(byAttempts.detail()).contains("failed 4 times");
        assertThat(env.instance("dps-a").counters().registrations()).isEqualTo(4);

        RetryBudget shortOfTime = RetryBudget.builder().maxAttempts(100).maxElapsed(Duration.ofSeconds(30))
                .initialBackoff(Duration.ofSeconds(20)).maxBackoff(Duration.ofSeconds(20)).build();
        env.time.clearSleeps();
        ProvisioningResult byTime = env.direct(env.device("budget-2", new RecordingListener()), "dps-a")
                .dpsStatusLookup(false).circuitBreaker(lenient).staggerWindow(Duration.ZERO)
                .firstProvisioningBudget(shortOfTime).build().ensureProvisioned();

        assertThat(byTime.reason()).contains(ProvisioningResult.Reason.RETRY_BUDGET_EXHAUSTED);
        Duration waited = env.time.sleeps().stream().reduce(Duration.ZERO, Duration::plus);
        assertThat(waited).isLessThanOrEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void reprovisioningHasItsOwnBudget() throws Exception {
        env = TestEnvironment.start("dps-a");
        CircuitBreakerPolicy lenient = CircuitBreakerPolicy.builder().failureThreshold(100).build();
        DeviceProvisioner device = env.direct(env.device("budgets", new RecordingListener()), "dps-a")
                .circuitBreaker(lenient)
                .firstProvisioningBudget(RetryBudget.builder().maxAttempts(6).build())
                .reprovisioningBudget(RetryBudget.reprovisioning().toBuilder().maxAttempts(2).build()).build();
        assertThat(device.ensureProvisioned().isProvisioned()).isTrue();
        long before = env.registrations();
        env.instance("dps-a").failNext(100, 503, RequestKind.REGISTER);

        ProvisioningResult result = device.reprovision("test");

        assertThat(result.reason()).contains(ProvisioningResult.Reason.RETRY_BUDGET_EXHAUSTED);
        assertThat(env.registrations() - before).isEqualTo(2);
        List<Duration> waits = retryWaits().stream().skip(1).collect(Collectors.toList());
        assertThat(waits).hasSize(1);
        assertThat(waits.get(0)).isLessThanOrEqualTo(RetryBudget.reprovisioning().initialBackoff());
    }
}
