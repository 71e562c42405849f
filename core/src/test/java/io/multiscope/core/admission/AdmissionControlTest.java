package io.multiscope.core.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.store.UnknownInstanceException;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.core.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AdmissionControlTest {

    private final VirtualClock clock = VirtualClock.create();

    private AdmissionControl.Builder virtualTime() {
        return AdmissionControl.builder().clock(clock).random(new SplittableRandom(11));
    }

    private static DpsInstance instance(String id, int perMinute) {
        return DpsInstance.builder(id).idScope("0ne000" + id.hashCode()).region("westeurope")
                .registrationsPerMinute(perMinute).build();
    }

    private static int acquireAll(AdmissionControl admission, String id) {
        int granted = 0;
        while (admission.tryAcquire(id)) {
            granted++;
        }
        return granted;
    }

    @Nested
    class Bucket {

        @Test
        void theSixtyFirstRegistrationInTheMinuteIsRefused() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 60));

            assertThat(admission.headroom("eu")).isEqualTo(60);
            for (int i = 0; i < 60; i++) {
                assertThat(admission.tryAcquire("eu")).as("registration %d", i + 1).isTrue();
            }
            assertThat(admission.tryAcquire("eu")).isFalse();
            assertThat(admission.headroom("eu")).isZero();
            assertThat(admission.timeUntilAvailable("eu")).isEqualTo(Duration.ofSeconds(1));

            clock.advance(Duration.ofMillis(999));
            assertThat(admission.tryAcquire("eu")).isFalse();
            assertThat(admission.timeUntilAvailable("eu")).isEqualTo(Duration.ofMillis(1));
            clock.advance(Duration.ofMillis(1));
            assertThat(admission.tryAcquire("eu")).isTrue();
            assertThat(admission.tryAcquire("eu")).isFalse();
        }

        @Test
        void refillsContinuouslyUpToTheBurst() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 60));
            acquireAll(admission, "eu");

            clock.advance(Duration.ofSeconds(30));
            assertThat(admission.headroom("eu")).isEqualTo(30);
            assertThat(admission.timeUntilAvailable("eu")).isZero();
            clock.advance(Duration.ofMinutes(5));
            assertThat(admission.headroom("eu")).as("idle time saved up to one minute of quota").isEqualTo(60);
        }

        @Test
        void aGreedyClientGetsTheQuotaAndNoMore() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 1_000));
            long granted = 0;
            for (int tick = 0; tick < 10 * 60 * 100; tick++) { // ten minutes in steps of 10 ms
                granted += acquireAll(admission, "eu");
                clock.advance(Duration.ofMillis(10));
            }
            // The initial full bucket plus ten minutes of refill.
            assertThat(granted).isBetween(1_000L + 10_000 - 1, 1_000L + 10_000);
        }

        @Test
        void aShorterBurstHoldsLess() {
            AdmissionControl admission = virtualTime().burst(Duration.ofSeconds(10)).build();
            admission.configure(instance("eu", 60));
            assertThat(acquireAll(admission, "eu")).isEqualTo(10);
            clock.advance(Duration.ofMinutes(1));
            assertThat(admission.headroom("eu")).isEqualTo(10);
        }

        @Test
        void aTinyQuotaStillHoldsOneToken() {
            AdmissionControl admission = virtualTime().burst(Duration.ofSeconds(1)).build();
            admission.configure(instance("slow", 1));
            assertThat(acquireAll(admission, "slow")).isEqualTo(1);
            assertThat(admission.timeUntilAvailable("slow")).isEqualTo(Duration.ofMinutes(1));
        }

        @Test
        void comingBackAfterTimeUntilAvailableAlwaysFindsAToken() {
            SplittableRandom random = new SplittableRandom(3);
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 7));
            admission.configure(instance("us", 997));
            for (int round = 0; round < 500; round++) {
                String id = random.nextBoolean() ? "eu" : "us";
                acquireAll(admission, id);
                if (random.nextInt(10) == 0) {
                    admission.onThrottled(id, random.nextBoolean() ? Optional.empty()
                            : Optional.of(Duration.ofMillis(random.nextInt(5_000))));
                }
                clock.advance(admission.timeUntilAvailable(id));
                assertThat(admission.tryAcquire(id)).as("round %d on %s", round, id).isTrue();
            }
        }
    }

    @Nested
    class Deferral {

        @Test
        void deferredDevicesAreStaggeredAtTheRefillRate() {
            AdmissionControl admission = virtualTime().jitter(Duration.ZERO).build();
            admission.configure(instance("eu", 60));
            acquireAll(admission, "eu");

            for (int k = 1; k <= 100; k++) {
                assertThat(admission.deferral(List.of("eu"))).isEqualTo(Duration.ofSeconds(k));
            }
        }

        @Test
        void aStormOfDeferralsIsSpreadWithinBounds() {
            AdmissionControl admission = virtualTime().jitter(Duration.ofSeconds(1)).build();
            admission.configure(instance("eu", 60));
            acquireAll(admission, "eu");
            Duration soonest = admission.timeUntilAvailable("eu");

            List<Duration> deferrals = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                deferrals.add(admission.deferral(List.of("eu")));
            }

            assertThat(deferrals).allSatisfy(d -> assertThat(d)
                    .isBetween(soonest, Duration.ofMinutes(10).plusSeconds(1)));
            assertThat(deferrals).doesNotHaveDuplicates();
            Map<Long, Integer> perSecond = new TreeMap<>();
            deferrals.forEach(d -> perSecond.merge(d.toSeconds(), 1, Integer::sum));
            assertThat(perSecond.values()).as("no spike: at most two come back in any one second")
                    .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
            assertThat(perSecond).hasSizeGreaterThan(450);
        }

        @Test
        void usesTheSoonestOfSeveralInstances() {
            AdmissionControl admission = virtualTime().jitter(Duration.ZERO).build();
            admission.configure(instance("eu", 60));
            admission.configure(instance("us", 120));
            acquireAll(admission, "eu");
            acquireAll(admission, "us");

            List<Duration> deferrals = new ArrayList<>();
            for (int i = 0; i < 180; i++) {
                deferrals.add(admission.deferral(List.of("eu", "us")));
            }
            // Together they refill 180 per minute: a minute's worth of deferred devices fits in about a minute.
            assertThat(deferrals.get(0)).isEqualTo(Duration.ofMillis(500));
            assertThat(deferrals).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofSeconds(60)));
            assertThat(deferrals).isSorted();
        }

        @Test
        void anInstanceWithHeadroomMeansComeBackAtOnce() {
            AdmissionControl admission = virtualTime().jitter(Duration.ofMillis(200)).build();
            admission.configure(instance("eu", 60));
            assertThat(admission.deferral(List.of("eu"))).isBetween(Duration.ZERO, Duration.ofMillis(200));
        }

        @Test
        void whenOverbookedDeferralsSpreadOverTheWholeWindow() {
            AdmissionControl admission = virtualTime().jitter(Duration.ofMillis(500))
                    .maxDeferral(Duration.ofMinutes(1)).build();
            admission.configure(instance("eu", 60));
            acquireAll(admission, "eu");

            List<Duration> deferrals = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                deferrals.add(admission.deferral(List.of("eu")));
            }
            List<Duration> overflow = deferrals.subList(60, deferrals.size());

            assertThat(deferrals).allSatisfy(d -> assertThat(d)
                    .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(60).plusMillis(500)));
            assertThat(overflow).doesNotHaveDuplicates();
            long early = overflow.stream().filter(d -> d.compareTo(Duration.ofSeconds(30)) < 0).count();
            assertThat(early).as("spread evenly, not piled at the end").isBetween(350L, 570L);
        }

        @Test
        void aClockReadingSlightlyBehindTheLastAcquisitionStillGetsTheTokensThatAreThere() {
            // Concurrent requests read the clock, then race for the bucket: one that read it first may arrive second.
            SettableClock racing = new SettableClock(clock.instant());
            AdmissionControl admission = AdmissionControl.builder().clock(racing).random(new SplittableRandom(11))
                    .build();
            admission.configure(instance("eu", 60));
            Instant start = racing.instant();

            racing.set(start.plusMillis(2));
            assertThat(admission.tryAcquire("eu")).isTrue();
            racing.set(start.plusMillis(1));
            assertThat(admission.tryAcquire("eu")).as("58 tokens are left").isTrue();
            assertThat(admission.headroom("eu")).isEqualTo(58);
            assertThat(admission.timeUntilAvailable("eu")).isZero();
            // No more than the bucket holds, whatever order the readings come in.
            assertThat(acquireAll(admission, "eu")).isEqualTo(58);
            assertThat(admission.timeUntilAvailable("eu")).isEqualTo(Duration.ofSeconds(1).plusMillis(1));
        }

        @Test
        void aPauseRefusesEvenWithTokensLeft() {
            SettableClock racing = new SettableClock(clock.instant());
            AdmissionControl admission = AdmissionControl.builder().clock(racing).random(new SplittableRandom(11))
                    .feedback(ThrottleFeedback.pauseOnly()).build();
            admission.configure(instance("eu", 60));
            Instant start = racing.instant();

            admission.onThrottled("eu", Optional.of(Duration.ofSeconds(20)));

            racing.set(start.plusSeconds(19));
            assertThat(admission.tryAcquire("eu")).isFalse();
            assertThat(admission.headroom("eu")).isZero();
            assertThat(admission.timeUntilAvailable("eu")).isEqualTo(Duration.ofSeconds(1));
            racing.set(start.plusSeconds(20));
            assertThat(admission.tryAcquire("eu")).isTrue();
        }

        @Test
        void respectsAPause() {
            AdmissionControl admission = virtualTime().jitter(Duration.ZERO).build();
            admission.configure(instance("eu", 60));
            admission.onThrottled("eu", Optional.of(Duration.ofSeconds(20)));
            assertThat(admission.deferral(List.of("eu"))).isEqualTo(Duration.ofSeconds(20));
        }

        @Test
        void refusesAnEmptyOrUnknownSet() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 60));
            assertThatThrownBy(() -> admission.deferral(List.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least one instance");
            assertThatThrownBy(() -> admission.deferral(List.of("eu", "nowhere")))
                    .isInstanceOf(UnknownInstanceException.class).hasMessageContaining("nowhere");
        }
    }

    @Nested
    class ThrottlingFeedback {

        @Test
        void a429PausesForRetryAfterAndHalvesTheBudget() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 600));

            admission.onThrottled("eu", Optional.of(Duration.ofSeconds(5)));

            assertThat(admission.ratePerMinute("eu")).isEqualTo(300.0);
            assertThat(admission.headroom("eu")).isZero();
            assertThat(admission.tryAcquire("eu")).isFalse();
            assertThat(admission.timeUntilAvailable("eu")).isEqualTo(Duration.ofSeconds(5));
            clock.advance(Duration.ofSeconds(5));
            assertThat(admission.tryAcquire("eu")).isTrue();
            assertThat(admission.tryAcquire("eu")).isFalse();
            // Refilling at the cut rate: about 300/min, i.e. ~50 in ten seconds (a little more as it recovers).
            clock.advance(Duration.ofSeconds(10));
            assertThat(admission.headroom("eu")).isBetween(50L, 52L);
        }

        @Test
        void withoutRetryAfterTheBucketIsEmptiedButNotPaused() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 60));
            admission.onThrottled("eu", Optional.empty());
            assertThat(admission.headroom("eu")).isZero();
            assertThat(admission.ratePerMinute("eu")).isEqualTo(30.0);
            assertThat(admission.timeUntilAvailable("eu")).isEqualTo(Duration.ofSeconds(2));
        }

        @Test
        void theBudgetRecoversGraduallyToTheQuota() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 1_000));
            admission.onThrottled("eu", Optional.of(Duration.ofSeconds(3)));
            assertThat(admission.ratePerMinute("eu")).isEqualTo(500.0);

            clock.advance(Duration.ofSeconds(3)); // the pause
            assertThat(admission.ratePerMinute("eu")).isEqualTo(500.0);
            List<Double> perMinute = new ArrayList<>();
            for (int minute = 1; minute <= 7; minute++) {
                clock.advance(Duration.ofMinutes(1));
                perMinute.add(admission.ratePerMinute("eu"));
            }
            // +10 % of the quota per minute without a 429: 600, 700, ... capped at 1,000.
            assertThat(perMinute).usingElementComparator((a, b) -> Math.abs(a - b) < 1e-6 ? 0 : Double.compare(a, b))
                    .containsExactly(600.0, 700.0, 800.0, 900.0, 1_000.0, 1_000.0, 1_000.0);
        }

        @Test
        void refillDuringRecoveryFollowsTheRisingRate() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 1_000));
            admission.onThrottled("eu", Optional.empty()); // 500/min, rising 100/min per minute
            clock.advance(Duration.ofSeconds(30));
            // The rate rose from 500 to 550/min over those 30 s: (500 + 550) / 2 per minute for half a minute.
            assertThat(admission.headroom("eu")).isEqualTo(262);
        }

        @Test
        void a429BurstCutsOnceAndFurther429sCutAgainAfterTheCooldown() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 600));

            for (int i = 0; i < 20; i++) { // the requests in flight all come back 429
                admission.onThrottled("eu", Optional.of(Duration.ofSeconds(1)));
            }
            assertThat(admission.ratePerMinute("eu")).isEqualTo(300.0);
            clock.advance(Duration.ofSeconds(5));
            admission.onThrottled("eu", Optional.of(Duration.ofSeconds(1)));
            // 300 had climbed to 304 in the 4 s since the pause ended (+10 % of the quota per minute), then halved.
            assertThat(admission.ratePerMinute("eu")).isCloseTo(152.0, within(1e-6));
        }

        @Test
        void theBudgetNeverFallsBelowTheFloor() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 600));
            for (int i = 0; i < 30; i++) {
                clock.advance(Duration.ofSeconds(5));
                admission.onThrottled("eu", Optional.empty());
            }
            assertThat(admission.ratePerMinute("eu")).isCloseTo(30.0, within(1e-6)); // 5 % of the quota
        }

        @Test
        void aNew429RestartsTheClimbFromTheCutRate() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 1_000));
            admission.onThrottled("eu", Optional.empty());
            clock.advance(Duration.ofMinutes(3));
            assertThat(admission.ratePerMinute("eu")).isCloseTo(800.0, within(1e-6));

            admission.onThrottled("eu", Optional.empty());
            assertThat(admission.ratePerMinute("eu")).isCloseTo(400.0, within(1e-6));
            clock.advance(Duration.ofMinutes(1));
            assertThat(admission.ratePerMinute("eu")).isCloseTo(500.0, within(1e-6));
        }

        @Test
        void pauseOnlyFeedbackKeepsTheRate() {
            AdmissionControl admission = virtualTime().feedback(ThrottleFeedback.pauseOnly()).build();
            admission.configure(instance("eu", 600));
            admission.onThrottled("eu", Optional.of(Duration.ofSeconds(3)));
            assertThat(admission.ratePerMinute("eu")).isEqualTo(600.0);
            assertThat(admission.timeUntilAvailable("eu")).isEqualTo(Duration.ofSeconds(3));
        }

        @Test
        void aHugeRetryAfterPausesNoLongerThanMaxDeferral() {
            AdmissionControl admission = virtualTime().maxDeferral(Duration.ofMinutes(2)).build();
            admission.configure(instance("eu", 600));
            admission.onThrottled("eu", Optional.of(Duration.ofDays(3650)));
            assertThat(admission.timeUntilAvailable("eu")).isEqualTo(Duration.ofMinutes(2));
        }
    }

    @Nested
    class Resizing {

        @Test
        void aLargerQuotaRefillsFasterAndHoldsMore() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 60));
            acquireAll(admission, "eu");

            admission.configure(instance("eu", 120));
            assertThat(admission.headroom("eu")).as("no free burst from resizing").isZero();
            assertThat(admission.timeUntilAvailable("eu")).isEqualTo(Duration.ofMillis(500));
            clock.advance(Duration.ofMinutes(2));
            assertThat(admission.headroom("eu")).isEqualTo(120);
        }

        @Test
        void aSmallerQuotaDropsTheExcess() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 600));
            admission.configure(instance("eu", 60));
            assertThat(admission.headroom("eu")).isEqualTo(60);
            assertThat(admission.ratePerMinute("eu")).isEqualTo(60.0);
        }

        @Test
        void aCutBudgetKeepsItsShareOfTheNewQuota() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 600));
            admission.onThrottled("eu", Optional.empty());
            admission.configure(instance("eu", 1_200));
            assertThat(admission.ratePerMinute("eu")).isCloseTo(600.0, within(1e-6));
        }

        @Test
        void reconfiguringTheSameQuotaChangesNothing() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 60));
            acquireAll(admission, "eu");
            admission.configure(instance("eu", 60));
            assertThat(admission.headroom("eu")).isZero();
        }

        @Test
        void removedInstancesAreUnknown() {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 60));
            assertThat(admission.isConfigured("eu")).isTrue();
            assertThat(admission.remove("eu")).isTrue();
            assertThat(admission.remove("eu")).isFalse();
            assertThatThrownBy(() -> admission.tryAcquire("eu")).isInstanceOf(UnknownInstanceException.class)
                    .satisfies(e -> assertThat(((UnknownInstanceException) e).instanceId()).contains("eu"));
        }
    }

    @Nested
    class Concurrency {

        @Test
        void sixteenThreadsNeverGetMoreThanTheBucketHolds() throws Exception {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 1_000));
            assertThat(race(admission, 16, 2_000, () -> { })).isEqualTo(1_000);
        }

        @Test
        void sixteenThreadsWithTimePassingGetExactlyWhatRefilled() throws Exception {
            AdmissionControl admission = virtualTime().build();
            admission.configure(instance("eu", 1_000));
            AtomicLong advanced = new AtomicLong();
            // Every thread moves the clock on 1 ms now and then: 16 × 2,000 / 50 ms = 640 ms in all.
            AtomicLong attempts = new AtomicLong();
            long granted = race(admission, 16, 2_000, () -> {
                if (attempts.incrementAndGet() % 50 == 0) {
                    clock.advance(Duration.ofMillis(1));
                    advanced.addAndGet(1);
                }
            });
            long refilled = advanced.get() * 1_000 / 60_000; // 1,000 per minute
            assertThat(granted).isLessThanOrEqualTo(1_000 + refilled).isGreaterThanOrEqualTo(1_000 + refilled - 16);
        }

        private long race(AdmissionControl admission, int threads, int attemptsEach, Runnable betweenAttempts)
                throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Long>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        long mine = 0;
                        for (int i = 0; i < attemptsEach; i++) {
                            if (admission.tryAcquire("eu")) {
                                mine++;
                            }
                            betweenAttempts.run();
                        }
                        return mine;
                    }));
                }
                start.countDown();
                long total = 0;
                for (Future<Long> result : results) {
                    total += result.get(30, TimeUnit.SECONDS);
                }
                return total;
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class Validation {

        @Test
        void unknownInstancesAreNamed() {
            AdmissionControl admission = virtualTime().build();
            assertThatThrownBy(() -> admission.headroom("nowhere")).isInstanceOf(UnknownInstanceException.class)
                    .hasMessageContaining("'nowhere'");
            assertThatThrownBy(() -> admission.onThrottled("nowhere", Optional.empty()))
                    .isInstanceOf(UnknownInstanceException.class);
        }

        @Test
        void builderRejectsBadSettings() {
            expectInvalid(b -> b.jitter(Duration.ofSeconds(-1)), "jitter must be >= 0");
            expectInvalid(b -> b.burst(Duration.ZERO), "burst must be > 0");
            expectInvalid(b -> b.maxDeferral(Duration.ZERO), "maxDeferral must be > 0");
            expectInvalid(b -> b.maxDeferral(Duration.ofDays(2)), "at most one day");
            assertThatThrownBy(() -> AdmissionControl.builder().clock(null)).isInstanceOf(NullPointerException.class);
        }

        @Test
        void feedbackRejectsBadSettings() {
            assertThatThrownBy(() -> ThrottleFeedback.builder().decreaseFactor(0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decreaseFactor");
            assertThatThrownBy(() -> ThrottleFeedback.builder().floor(1.5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floor");
            assertThatThrownBy(() -> ThrottleFeedback.builder().recoveryPerMinute(0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recoveryPerMinute");
            assertThatThrownBy(() -> ThrottleFeedback.builder().cooldown(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cooldown");
        }

        private void expectInvalid(Consumer<AdmissionControl.Builder> setting, String message) {
            assertThatThrownBy(() -> setting.accept(AdmissionControl.builder()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        }
    }
}
