package io.multiscope.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.time.VirtualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    /** A failure carrying a server's Retry-After, as a DPS or Cosmos 429 would. */
    static final class Throttled extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Duration retryAfter;

        Throttled(Duration retryAfter) {
            super("429, retry after " + retryAfter);
            this.retryAfter = retryAfter;
        }
    }

    static final class Transient extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Transient(String message) {
            super(message);
        }
    }

    private final VirtualClock clock = VirtualClock.create();
    private final List<Duration> waits = new ArrayList<>();

    private RetryPolicy.Builder virtualTime() {
        return RetryPolicy.builder()
                .clock(clock)
                .sleeper(d -> {
                    waits.add(d);
                    clock.advance(d);
                })
                .random(new SplittableRandom(7))
                .retryIf(e -> e instanceof Transient || e instanceof Throttled || e instanceof IOException)
                .retryAfter(e -> e instanceof Throttled t ? Optional.of(t.retryAfter) : Optional.empty());
    }

    /** A call that fails {@code failures} times with what {@code failure} makes, then returns "ok". */
    private static RetryPolicy.Call<String, RuntimeException> failing(int failures, AtomicInteger calls,
            java.util.function.IntFunction<RuntimeException> failure) {
        return () -> {
            int n = calls.incrementAndGet();
            if (n <= failures) {
                throw failure.apply(n);
            }
            return "ok";
        };
    }

    @Nested
    class Backoff {

        @Test
        void capsDoubleFromTheBaseUpToTheMaximum() {
            RetryPolicy policy = virtualTime().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1))
                    .maxAttempts(7).build();

            assertThat(policy.backoffSchedule()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                    Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofSeconds(1), Duration.ofSeconds(1));
            assertThat(policy.backoffCap(1_000)).isEqualTo(Duration.ofSeconds(1));
            assertThatThrownBy(() -> policy.backoffCap(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("failedAttempts");
        }

        @Test
        void everyWaitIsFullJitterWithinItsAttemptsCap() {
            RetryPolicy policy = virtualTime().baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(2))
                    .maxAttempts(8).maxElapsed(Duration.ofHours(1)).build();
            int runs = 300;
            List<List<Duration>> perAttempt = new ArrayList<>();
            for (int n = 0; n < 7; n++) {
                perAttempt.add(new ArrayList<>());
            }
            for (int run = 0; run < runs; run++) {
                waits.clear();
                AtomicInteger calls = new AtomicInteger();
                assertThat(policy.execute(failing(7, calls, n -> new Transient("attempt " + n)))).isEqualTo("ok");
                assertThat(waits).hasSize(7);
                for (int n = 0; n < 7; n++) {
                    perAttempt.get(n).add(waits.get(n));
                }
            }
            for (int n = 0; n < 7; n++) {
                Duration cap = policy.backoffCap(n + 1);
                List<Duration> observed = perAttempt.get(n);
                assertThat(observed).as("waits after failure %d", n + 1)
                        .allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, cap));
                // Full jitter: spread over the whole range, not clustered near the cap.
                assertThat(observed.stream().mapToLong(Duration::toNanos).min().orElseThrow())
                        .isLessThan(cap.toNanos() / 5);
                assertThat(observed.stream().mapToLong(Duration::toNanos).max().orElseThrow())
                        .isGreaterThan(cap.toNanos() * 4 / 5);
                assertThat(observed.stream().distinct().count()).isGreaterThan(runs * 9L / 10);
            }
        }

        @Test
        void theSameSeedGivesTheSameSchedule() {
            List<Duration> first = scheduleWithSeed(99);
            List<Duration> second = scheduleWithSeed(99);
            assertThat(first).hasSize(4).isEqualTo(second);
        }

        private List<Duration> scheduleWithSeed(long seed) {
            List<Duration> seen = new ArrayList<>();
            RetryPolicy policy = virtualTime().random(new SplittableRandom(seed)).onRetry(e -> seen.add(e.delay()))
                    .build();
            assertThatThrownBy(() -> policy.execute(failing(10, new AtomicInteger(), n -> new Transient("x"))))
                    .isInstanceOf(Transient.class);
            return seen;
        }

        @Test
        void succeedsAfterTransientFailuresAndWaitsOnlyInVirtualTime() {
            RetryPolicy policy = virtualTime().baseDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(30))
                    .build();
            AtomicInteger calls = new AtomicInteger();
            long realStart = System.nanoTime();

            assertThat(policy.execute(failing(3, calls, n -> new Transient("boom")))).isEqualTo("ok");

            assertThat(calls).hasValue(4);
            assertThat(waits).hasSize(3);
            Duration virtual = Duration.between(Instant.parse("2026-01-01T00:00:00Z"), clock.instant());
            assertThat(virtual).isEqualTo(waits.stream().reduce(Duration.ZERO, Duration::plus));
            assertThat(Duration.ofNanos(System.nanoTime() - realStart)).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Nested
    class RetryAfter {

        @Test
        void aServersRetryAfterIsWaitedPlusALittleJitter() {
            RetryPolicy policy = virtualTime().baseDelay(Duration.ofMillis(100)).retryAfterJitter(0.2).build();
            List<RetryEvent> events = new ArrayList<>();
            RetryPolicy observed = virtualTime().baseDelay(Duration.ofMillis(100)).retryAfterJitter(0.2)
                    .onRetry(events::add).maxAttempts(50).maxElapsed(Duration.ofHours(1)).build();

            assertThat(observed.execute(failing(40, new AtomicInteger(), n -> new Throttled(Duration.ofSeconds(3)))))
                    .isEqualTo("ok");

            assertThat(waits).hasSize(40).allSatisfy(d -> assertThat(d)
                    .isBetween(Duration.ofSeconds(3), Duration.ofMillis(3_600)));
            assertThat(waits.stream().distinct().count()).as("jittered, not all identical").isGreaterThan(30);
            assertThat(events).allSatisfy(e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)));
            // Later attempts do not grow the wait: the server's word replaces the backoff.
            assertThat(policy.nextDelay(20, new Throttled(Duration.ofSeconds(3))))
                    .isBetween(Duration.ofSeconds(3), Duration.ofMillis(3_600));
        }

        @Test
        void aZeroRetryAfterStillGetsJitterFromTheBaseDelay() {
            RetryPolicy policy = virtualTime().baseDelay(Duration.ofMillis(500)).retryAfterJitter(0.5).build();
            for (int i = 0; i < 100; i++) {
                assertThat(policy.nextDelay(1, new Throttled(Duration.ZERO)))
                        .isBetween(Duration.ZERO, Duration.ofMillis(250));
            }
            assertThat(policy.nextDelay(1, new Throttled(Duration.ofSeconds(-5)))).as("negative counts as zero")
                    .isBetween(Duration.ZERO, Duration.ofMillis(250));
        }

        @Test
        void withoutJitterTheRetryAfterIsExact() {
            RetryPolicy policy = virtualTime().retryAfterJitter(0).build();
            assertThat(policy.execute(failing(1, new AtomicInteger(), n -> new Throttled(Duration.ofMillis(1_234)))))
                    .isEqualTo("ok");
            assertThat(waits).containsExactly(Duration.ofMillis(1_234));
        }

        @Test
        void aRetryAfterLongerThanTheTimeLeftFailsAtOnceWithoutWaiting() {
            RetryPolicy policy = virtualTime().maxElapsed(Duration.ofSeconds(30)).build();
            AtomicInteger calls = new AtomicInteger();
            Throttled throttled = new Throttled(Duration.ofMinutes(5));

            assertThatThrownBy(() -> policy.execute(failing(1, calls, n -> throttled))).isSameAs(throttled);
            assertThat(calls).hasValue(1);
            assertThat(waits).isEmpty();
        }

        @Test
        void anAbsurdRetryAfterDoesNotOverflow() {
            RetryPolicy policy = virtualTime().build();
            Throttled throttled = new Throttled(Duration.ofSeconds(Long.MAX_VALUE / 4));
            assertThatThrownBy(() -> policy.execute(failing(1, new AtomicInteger(), n -> throttled)))
                    .isSameAs(throttled);
        }

        @Test
        void aBrokenExtractorMeansBackoffNotAFailedCall() {
            RetryPolicy policy = virtualTime().baseDelay(Duration.ofMillis(100)).retryAfter(e -> {
                throw new IllegalStateException("bug in extractor");
            }).build();
            assertThat(policy.execute(failing(1, new AtomicInteger(), n -> new Throttled(Duration.ofHours(1)))))
                    .isEqualTo("ok");
            assertThat(waits).singleElement().satisfies(d -> assertThat(d)
                    .isBetween(Duration.ZERO, Duration.ofMillis(100)));
        }
    }

    @Nested
    class Limits {

        @Test
        void stopsAfterMaxAttemptsAndThrowsTheLastFailure() {
            RetryPolicy policy = virtualTime().maxAttempts(4).build();
            AtomicInteger calls = new AtomicInteger();
            List<Transient> thrown = new ArrayList<>();

            assertThatThrownBy(() -> policy.execute(failing(100, calls, n -> {
                Transient t = new Transient("attempt " + n);
                thrown.add(t);
                return t;
            }))).isSameAs(thrown.get(3)).hasMessage("attempt 4");
            assertThat(calls).hasValue(4);
            assertThat(waits).hasSize(3);
        }

        @Test
        void oneAttemptMeansNoRetry() {
            RetryPolicy policy = virtualTime().maxAttempts(1).build();
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(() -> policy.execute(failing(5, calls, n -> new Transient("x"))))
                    .isInstanceOf(Transient.class);
            assertThat(calls).hasValue(1);
        }

        @Test
        void noAttemptStartsAfterMaxElapsed() {
            RetryPolicy policy = virtualTime().maxAttempts(100).maxElapsed(Duration.ofSeconds(1))
                    .retryAfterJitter(0).build();
            AtomicInteger calls = new AtomicInteger();
            Instant start = clock.instant();
            List<Instant> attemptTimes = new ArrayList<>();

            assertThatThrownBy(() -> policy.execute(() -> {
                attemptTimes.add(clock.instant());
                calls.incrementAndGet();
                throw new Throttled(Duration.ofMillis(300));
            })).isInstanceOf(Throttled.class);

            // Attempts at 0, 0.3, 0.6, 0.9 s; a fifth would start at 1.2 s, past the limit, so it never waits for it.
            assertThat(calls).hasValue(4);
            assertThat(attemptTimes).allSatisfy(t -> assertThat(Duration.between(start, t))
                    .isLessThanOrEqualTo(Duration.ofSeconds(1)));
            assertThat(Duration.between(start, clock.instant())).isEqualTo(Duration.ofMillis(900));
        }

        @Test
        void elapsedTimeIncludesTheTimeTheCallsTake() {
            RetryPolicy policy = virtualTime().maxAttempts(100).maxElapsed(Duration.ofSeconds(10))
                    .baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(1)).build();
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(() -> policy.execute(() -> {
                calls.incrementAndGet();
                clock.advance(Duration.ofSeconds(3)); // a slow call
                throw new Transient("timed out");
            })).isInstanceOf(Transient.class);
            // Failures end at 3, 6, 9, 12 s (virtual); the wait after the fourth would end past 10 s.
            assertThat(calls).hasValue(4);
        }
    }

    @Nested
    class WhatIsNotRetried {

        @Test
        void aNonRetryableFailureIsThrownAtOnce() {
            RetryPolicy policy = virtualTime().build();
            AtomicInteger calls = new AtomicInteger();
            IllegalArgumentException bad = new IllegalArgumentException("bad request");

            assertThatThrownBy(() -> policy.execute(failing(5, calls, n -> bad))).isSameAs(bad);
            assertThat(calls).hasValue(1);
            assertThat(waits).isEmpty();
        }

        @Test
        void checkedFailuresAreRethrownUnwrapped() {
            RetryPolicy policy = virtualTime().maxAttempts(2).build();
            IOException io = new IOException("connection reset");
            AtomicInteger calls = new AtomicInteger();

            assertThatThrownBy(() -> policy.execute(() -> {
                calls.incrementAndGet();
                throw io;
            })).isSameAs(io);
            assertThat(calls).hasValue(2);
        }

        @Test
        void errorsAreNeverRetried() {
            RetryPolicy policy = virtualTime().retryIf(e -> true).build();
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(() -> policy.execute(() -> {
                calls.incrementAndGet();
                throw new AssertionError("broken");
            })).isInstanceOf(AssertionError.class);
            assertThat(calls).hasValue(1);
        }

        @Test
        void interruptedExceptionIsNeverRetried() {
            RetryPolicy policy = virtualTime().retryIf(e -> true).build();
            AtomicInteger calls = new AtomicInteger();
            assertThatThrownBy(() -> policy.execute(() -> {
                calls.incrementAndGet();
                throw new InterruptedException();
            })).isInstanceOf(InterruptedException.class);
            assertThat(calls).hasValue(1);
        }

        @Test
        void anInterruptedWaitEndsTheRetriesAndKeepsTheInterruptFlag() {
            RetryPolicy policy = RetryPolicy.builder().clock(clock).sleeper(d -> {
                throw new InterruptedException("shutting down");
            }).build();
            UncheckedIOException failure = new UncheckedIOException(new IOException("reset"));
            try {
                assertThatThrownBy(() -> policy.execute(failing(5, new AtomicInteger(), n -> failure)))
                        .isSameAs(failure);
                assertThat(failure.getSuppressed()).singleElement().isInstanceOf(InterruptedException.class);
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Nested
    class Validation {

        @Test
        void rejectsBadSettingsNamingThem() {
            expectInvalid(b -> b.baseDelay(Duration.ZERO), "baseDelay must be > 0");
            expectInvalid(b -> b.baseDelay(Duration.ofSeconds(-1)), "baseDelay must be > 0");
            expectInvalid(b -> b.maxDelay(Duration.ZERO), "maxDelay must be > 0");
            expectInvalid(b -> b.maxAttempts(0), "maxAttempts must be >= 1");
            expectInvalid(b -> b.maxElapsed(Duration.ofMillis(-1)), "maxElapsed must be > 0");
            expectInvalid(b -> b.retryAfterJitter(1.5), "retryAfterJitter must be within [0, 1]");
            expectInvalid(b -> b.retryAfterJitter(Double.NaN), "retryAfterJitter must be within [0, 1]");
            expectInvalid(b -> b.baseDelay(Duration.ofSeconds(5)).maxDelay(Duration.ofSeconds(1)).build(),
                    "maxDelay (PT1S) must be >= baseDelay (PT5S)");
        }

        @Test
        void rejectsNulls() {
            assertThatThrownBy(() -> RetryPolicy.builder().retryIf(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> RetryPolicy.builder().clock(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> RetryPolicy.defaults().execute(null)).isInstanceOf(NullPointerException.class);
        }

        @Test
        void defaultsAreSensible() {
            RetryPolicy policy = RetryPolicy.defaults();
            assertThat(policy.baseDelay()).isEqualTo(Duration.ofMillis(200));
            assertThat(policy.maxDelay()).isEqualTo(Duration.ofSeconds(10));
            assertThat(policy.maxAttempts()).isEqualTo(5);
            assertThat(policy.maxElapsed()).isEqualTo(Duration.ofMinutes(1));
            assertThat(policy.execute(() -> 42)).isEqualTo(42);
        }

        private void expectInvalid(Consumer<RetryPolicy.Builder> setting, String message) {
            assertThatThrownBy(() -> setting.accept(RetryPolicy.builder()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        }
    }
}
