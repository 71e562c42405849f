package io.multiscope.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.device.ProvisioningEvent.Step;
import io.multiscope.device.ProvisioningEvent.Type;
import io.multiscope.testkit.EmulatedDpsInstance;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A registration storm in virtual time: a fleet powers up together (after a blackout, a rollout) against one DPS
 * instance whose quota is 600 registrations a minute, through the provisioning API, every device running the real
 * Azure SDK over real HTTPS. The API's admission control defers devices with a staggered {@code Retry-After}; the
 * devices honour it; DPS itself should hardly ever have to throttle.
 *
 * <p>The fleet size is {@code -Dstorm.devices=N} (default 2,000); the API's token bucket burst is
 * {@code -Dstorm.burstSeconds=S} (default 5: a token may wait a few seconds for a deferred device that comes back a
 * little after its slot, at the price of a few DPS 429s; with 1 there are none, but more deferrals).
 */
class StormTest {

    static final int QUOTA_PER_MINUTE = 600;

    TestEnvironment env;

    @AfterEach
    void stop() {
        if (env != null) {
            env.close();
        }
    }

    /** What one device went through. */
    static final class DeviceLog implements ProvisioningListener {
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger apiDeferrals = new AtomicInteger();
        final AtomicInteger dpsThrottled = new AtomicInteger();
        final AtomicInteger otherFailures = new AtomicInteger();

        @Override
        public void onEvent(ProvisioningEvent e) {
            if (e.type() == Type.PROVISIONED || e.type() == Type.GAVE_UP) {
                attempts.set(e.attempt());
            } else if (e.type() == Type.ATTEMPT_FAILED) {
                if (Boolean.getBoolean("storm.debug")) {
                    System.out.println("DEBUG " + e.at() + " " + e);
                }
                if (e.status().orElse(0) == 429 && e.step().orElseThrow() == Step.DPS_REGISTER) {
                    dpsThrottled.incrementAndGet();
                } else if (e.status().orElse(0) == 429) {
                    apiDeferrals.incrementAndGet();
                } else {
                    otherFailures.incrementAndGet();
                }
            }
        }
    }

    @Test
    void aFleetBootingTogetherAgainstOneInstanceAllProvisionsWithFewDps429sAndWithinBudget() throws Exception {
        int devices = Integer.getInteger("storm.devices", 2000);
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        SimulatedFleetTime time = new SimulatedFleetTime(start, Duration.ofMillis(500));
        env = TestEnvironment.start(time, b -> b.instance("dps-storm",
                i -> i.registrationsPerMinute(QUOTA_PER_MINUTE)));
        // The API plans with the same quota; a short burst keeps any sliding minute within quota + burst.
        env.withApi(QUOTA_PER_MINUTE, a -> a.burst(Duration.ofSeconds(Long.getLong("storm.burstSeconds", 5))));
        RetryBudget budget = RetryBudget.firstProvisioning();

        List<DeviceLog> logs = new ArrayList<>();
        List<Callable<ProvisioningResult>> fleet = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            String id = String.format("storm-%05d", i);
            DeviceLog log = new DeviceLog();
            logs.add(log);
            // Scrambled seeds: java.util.Random's first draws for seeds 0, 1, 2, ... are nearly equal.
            long seed = new SplittableRandom(i).nextLong();
            fleet.add(() -> env.viaApi(env.device(id, log)).sleeper(time).random(new Random(seed))
                    .staggerWindow(Duration.ofSeconds(30)).firstProvisioningBudget(budget).build()
                    .ensureProvisioned());
        }
        List<Throwable> errors = new ArrayList<>();
        long wallStart = System.nanoTime();
        List<ProvisioningResult> results = time.runAll(fleet, errors);
        double wallSeconds = (System.nanoTime() - wallStart) / 1e9;

        assertThat(errors).isEmpty();
        long provisioned = results.stream().filter(r -> r != null && r.isProvisioned()).count();
        EmulatedDpsInstance dps = env.instance("dps-storm");
        int maxAttempts = logs.stream().mapToInt(l -> l.attempts.get()).max().orElse(0);
        long deferrals = logs.stream().mapToLong(l -> l.apiDeferrals.get()).sum();
        long dps429 = logs.stream().mapToLong(l -> l.dpsThrottled.get()).sum();
        long other = logs.stream().mapToLong(l -> l.otherFailures.get()).sum();
        AtomicLong attempts = new AtomicLong();
        logs.forEach(l -> attempts.addAndGet(l.attempts.get()));
        Duration virtual = Duration.between(start, time.instant());

        System.out.printf("STORM devices=%d provisioned=%d virtual=%s wall=%.1fs dpsRegistrations=%d dps429=%d "
                + "(emulator throttled=%d) apiDeferrals=%d otherFailures=%d attempts=%d meanAttempts=%.2f "
                + "maxAttempts=%d budget=%d%n", devices, provisioned, virtual, wallSeconds,
                dps.counters().registrations(), dps429, dps.counters().throttled(), deferrals, other,
                attempts.get(), attempts.get() / (double) devices, maxAttempts, budget.maxAttempts());

        assertThat(provisioned).isEqualTo(devices);
        assertThat(dps.registrations()).hasSize(devices);
        assertThat(maxAttempts).isLessThanOrEqualTo(budget.maxAttempts());
        assertThat(dps.counters().throttled()).isEqualTo(dps429);
        // "Few": the API's plan keeps DPS within its quota but for the burst allowance (5 s = 50 a minute).
        assertThat(dps429).isLessThanOrEqualTo(devices / 20);
        assertThat(other).isZero();
        // At 600 a minute the fleet cannot be done sooner than devices / 10 seconds.
        assertThat(virtual).isGreaterThanOrEqualTo(Duration.ofSeconds(devices / 10 - 1));
    }
}
