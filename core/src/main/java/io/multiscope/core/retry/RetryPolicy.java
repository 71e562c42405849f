package io.multiscope.core.retry;

import dev.failsafe.Execution;
import dev.failsafe.ExecutionContext;
import io.multiscope.core.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a call with exponential backoff and full jitter, honouring a server's {@code Retry-After}, within a maximum
 * number of attempts and a maximum elapsed time. Immutable and thread-safe: build one per kind of call (DPS, a store)
 * and share it.
 *
 * <pre>{@code
 * // ThrottledException stands for whatever the caller's client throws on a 429
 * RetryPolicy dpsRetry = RetryPolicy.builder()
 *     .retryIf(e -> e instanceof ThrottledException || e instanceof IOException)
 *     .retryAfter(e -> e instanceof ThrottledException t ? t.retryAfter() : Optional.empty())
 *     .build();
 * Registration r = dpsRetry.execute(() -> dps.register(device));
 * }</pre>
 *
 * <h2>The waits</h2>
 * After the {@code n}-th failed attempt (n = 1, 2, ...) the policy waits
 * <ul>
 *   <li>when the failure carries a {@code Retry-After} {@code r} (see {@link Builder#retryAfter}): {@code r} plus a
 *       random extra in {@code [0, retryAfterJitter · max(r, baseDelay)]}, so the server is never called earlier than it
 *       asked, and clients it throttled together do not all come back in the same instant;</li>
 *   <li>otherwise a uniformly random time in {@code [0, min(maxDelay, baseDelay · 2^(n-1))]} ("full jitter"), which
 *       spreads competing clients better than a jittered fixed backoff.</li>
 * </ul>
 * The call is made at most {@code maxAttempts} times. No attempt starts later than {@code maxElapsed} after the first:
 * a wait that would end after that deadline is not begun, and the last failure is thrown at once, rather than
 * sleeping only to give up. This is also what caps a server's {@code Retry-After}: one longer than the time left is
 * not waited for, and the caller gets the failure (and can defer the work) straight away.
 *
 * <h2>Why Failsafe is driven by hand</h2>
 * Failsafe's synchronous executor waits with {@code Thread.sleep} and measures elapsed time with
 * {@code System.nanoTime}; neither can run in virtual time. So each call runs through Failsafe's standalone
 * {@link Execution} API: Failsafe decides after each attempt whether the failure is retryable and whether attempts are
 * exhausted, and computes the wait through {@code withDelayFn} (the formulas above); this class makes the attempts,
 * waits through the injected {@link Sleeper} and keeps the elapsed-time limit against the injected {@link Clock}. Tests
 * inject a {@link io.multiscope.core.time.VirtualClock} as both and run without real sleeps.
 */
public final class RetryPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);

    /** A call that may fail with {@code E} (or an unchecked exception). */
    @FunctionalInterface
    public interface Call<T, E extends Exception> {
        T call() throws E;
    }

    private final Duration baseDelay;
    private final Duration maxDelay;
    private final int maxAttempts;
    private final Duration maxElapsed;
    private final Predicate<? super Exception> retryable;
    private final Function<? super Throwable, Optional<Duration>> retryAfter;
    private final double retryAfterJitter;
    private final RandomGenerator random;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Consumer<RetryEvent> onRetry;
    private final dev.failsafe.RetryPolicy<Object> failsafe;

    private RetryPolicy(Builder b) {
        this.baseDelay = b.baseDelay;
        this.maxDelay = b.maxDelay;
        this.maxAttempts = b.maxAttempts;
        this.maxElapsed = b.maxElapsed;
        this.retryable = b.retryable;
        this.retryAfter = b.retryAfter;
        this.retryAfterJitter = b.retryAfterJitter;
        this.random = b.random;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.onRetry = b.onRetry;
        this.failsafe = dev.failsafe.RetryPolicy.builder()
                .handleIf((Throwable failure) -> isRetryable(failure))
                .withMaxAttempts(maxAttempts)
                .withDelayFn(this::delayAfter)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this policy's settings, to derive a policy that differs in a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.baseDelay = baseDelay;
        b.maxDelay = maxDelay;
        b.maxAttempts = maxAttempts;
        b.maxElapsed = maxElapsed;
        b.retryable = retryable;
        b.retryAfter = retryAfter;
        b.retryAfterJitter = retryAfterJitter;
        b.random = random;
        b.clock = clock;
        b.sleeper = sleeper;
        b.onRetry = onRetry;
        return b;
    }

    /** A policy with the defaults listed on {@link Builder}. */
    public static RetryPolicy defaults() {
        return builder().build();
    }

    /**
     * Calls {@code call} until it succeeds, fails with something not retryable, or the attempts or the time are used
     * up; then returns its result or throws its last failure unchanged (never wrapped). Errors and
     * {@link InterruptedException} are never retried. If the thread is interrupted while waiting, the wait ends, the
     * interrupt flag is restored and the last failure is thrown with the {@code InterruptedException} attached as
     * suppressed.
     *
     * @throws E the last failure of the call
     */
    public <T, E extends Exception> T execute(Call<T, E> call) throws E {
        Objects.requireNonNull(call, "call");
        Instant start = clock.instant();
        Execution<Object> execution = Execution.of(failsafe);
        while (true) {
            try {
                T result = call.call();
                execution.recordResult(result);
                return result;
            } catch (Exception failure) {
                execution.recordException(failure);
                if (execution.isComplete()) {
                    throw RetryPolicy.<E>rethrow(failure);
                }
                Duration delay = execution.getDelay();
                Duration left = maxElapsed.minus(Duration.between(start, clock.instant()));
                if (delay.compareTo(left) > 0) {
                    LOG.debug("Not retrying after attempt {}: waiting {} would pass the {} limit",
                            execution.getAttemptCount(), delay, maxElapsed);
                    throw RetryPolicy.<E>rethrow(failure);
                }
                RetryEvent event = new RetryEvent(execution.getAttemptCount(), failure, delay,
                        retryAfterOf(failure));
                LOG.debug("Attempt {} failed ({}); retrying in {}", event.failedAttempts(), failure.toString(),
                        delay);
                onRetry.accept(event);
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    failure.addSuppressed(interrupted);
                    throw RetryPolicy.<E>rethrow(failure);
                }
            }
        }
    }

    /**
     * The upper bound of the backoff wait after {@code failedAttempts} failures when no {@code Retry-After} applies:
     * {@code min(maxDelay, baseDelay · 2^(failedAttempts-1))}.
     */
    public Duration backoffCap(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts must be >= 1, was " + failedAttempts);
        }
        long base = baseDelay.toNanos();
        long max = maxDelay.toNanos();
        int shift = failedAttempts - 1;
        // base · 2^shift, without overflowing: past maxDelay it no longer matters by how much.
        if (shift >= 63 || base > (max >> shift)) {
            return maxDelay;
        }
        return Duration.ofNanos(Math.min(max, base << shift));
    }

    /** The backoff caps for every retry this policy may make (one fewer than {@code maxAttempts}). */
    public List<Duration> backoffSchedule() {
        List<Duration> schedule = new ArrayList<>(maxAttempts - 1);
        for (int n = 1; n < maxAttempts; n++) {
            schedule.add(backoffCap(n));
        }
        return Collections.unmodifiableList(schedule);
    }

    /**
     * Draws the wait this policy would take after {@code failedAttempts} failures, the last being {@code failure}
     * (honouring its {@code Retry-After}, if it carries one). Random, like the real waits.
     */
    public Duration nextDelay(int failedAttempts, Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        Duration cap = backoffCap(failedAttempts); // also validates failedAttempts
        Optional<Duration> serverSaid = retryAfterOf(failure);
        if (serverSaid.isPresent()) {
            Duration wait = serverSaid.get();
            long spread = (long) (retryAfterJitter * Math.max(saturatedNanos(wait), baseDelay.toNanos()));
            return wait.plusNanos(randomUpTo(spread));
        }
        return Duration.ofNanos(randomUpTo(cap.toNanos()));
    }

    public Duration baseDelay() {
        return baseDelay;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration maxElapsed() {
        return maxElapsed;
    }

    private Duration delayAfter(ExecutionContext<Object> context) {
        return nextDelay(context.getAttemptCount(), context.getLastException());
    }

    private boolean isRetryable(Throwable failure) {
        return failure instanceof Exception e && !(e instanceof InterruptedException) && retryable.test(e);
    }

    /** The server's Retry-After in {@code failure}; a broken extractor counts as "none" rather than failing the call. */
    private Optional<Duration> retryAfterOf(Throwable failure) {
        Optional<Duration> value;
        try {
            value = retryAfter.apply(failure);
        } catch (RuntimeException e) {
            LOG.warn("Retry-After extractor failed on {}; using backoff", failure.toString(), e);
            return Optional.empty();
        }
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(value.get().isNegative() ? Duration.ZERO : value.get());
    }

    /** A server may send an absurd Retry-After; it must not overflow, only fail the elapsed-time check. */
    private static long saturatedNanos(Duration d) {
        return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }

    /** Uniform in [0, boundInclusive]. */
    private long randomUpTo(long boundInclusive) {
        if (boundInclusive <= 0) {
            return 0;
        }
        long bound = boundInclusive == Long.MAX_VALUE ? Long.MAX_VALUE : boundInclusive + 1;
        if (random == null) {
            return ThreadLocalRandom.current().nextLong(bound);
        }
        // An injected generator need not be thread-safe (a seeded SplittableRandom, say); a lock here costs nothing
        // next to the wait that follows.
        synchronized (random) {
            return random.nextLong(bound);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Exception failure) throws E {
        // Call<T, E> can only throw E or unchecked exceptions, so this cast is what the compiler cannot see.
        throw (E) failure;
    }

    @Override
    public String toString() {
        return "RetryPolicy[baseDelay=" + baseDelay + ", maxDelay=" + maxDelay + ", maxAttempts=" + maxAttempts
                + ", maxElapsed=" + maxElapsed + ", retryAfterJitter=" + retryAfterJitter + "]";
    }

    /**
     * Builds a {@link RetryPolicy}. Every setter checks its argument and {@link #build()} checks how they combine, so a
     * bad setting fails with an {@link IllegalArgumentException} saying which one and why.
     *
     * <p>Defaults: base delay 200 ms, max delay 10 s, 5 attempts, 1 minute elapsed, every {@link Exception} retryable,
     * no {@code Retry-After}, Retry-After jitter 0.2, the system UTC clock, real sleeping, a thread-local random.
     */
    public static final class Builder {
        private Duration baseDelay = Duration.ofMillis(200);
        private Duration maxDelay = Duration.ofSeconds(10);
        private int maxAttempts = 5;
        private Duration maxElapsed = Duration.ofMinutes(1);
        private Predicate<? super Exception> retryable = e -> true;
        private Function<? super Throwable, Optional<Duration>> retryAfter = e -> Optional.empty();
        private double retryAfterJitter = 0.2;
        private RandomGenerator random;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Consumer<RetryEvent> onRetry = e -> { };

        private Builder() {
        }

        /** The first backoff cap ({@code > 0}); each retry doubles it up to {@link #maxDelay}. */
        public Builder baseDelay(Duration baseDelay) {
            this.baseDelay = positive("baseDelay", baseDelay);
            return this;
        }

        /** The largest backoff cap ({@code >= baseDelay}). Does not limit a server's {@code Retry-After}. */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = positive("maxDelay", maxDelay);
            return this;
        }

        /** How many times the call is made at most, the first included ({@code >= 1}; 1 means no retry). */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1 (1 = no retries), was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** No attempt starts later than this after the first ({@code > 0}). */
        public Builder maxElapsed(Duration maxElapsed) {
            this.maxElapsed = positive("maxElapsed", maxElapsed);
            return this;
        }

        /**
         * Which failures are worth retrying (a transient network error, a 429, a 503, a serialization failure).
         * Anything else is thrown at once. Errors and {@link InterruptedException} are never retried.
         */
        public Builder retryIf(Predicate<? super Exception> retryable) {
            this.retryable = Objects.requireNonNull(retryable, "retryable");
            return this;
        }

        /**
         * Finds the server's {@code Retry-After} in a retryable failure (DPS and Cosmos DB send one with a 429). When
         * present the wait honours it instead of the backoff. Should be cheap and side-effect free; if it throws, the
         * failure is treated as carrying none.
         */
        public Builder retryAfter(Function<? super Throwable, Optional<Duration>> retryAfter) {
            this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
            return this;
        }

        /**
         * The extra random wait added to a server's {@code Retry-After}, as a fraction of it (of the base delay if
         * that is larger), in {@code [0, 1]}; default 0.2.
         */
        public Builder retryAfterJitter(double fraction) {
            if (!(fraction >= 0.0 && fraction <= 1.0)) {
                throw new IllegalArgumentException("retryAfterJitter must be within [0, 1], was " + fraction);
            }
            this.retryAfterJitter = fraction;
            return this;
        }

        /** The source of jitter; need not be thread-safe (it is used under a lock). Default: a thread-local one. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** The clock that measures the elapsed time. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** What waits between attempts; a {@link io.multiscope.core.time.VirtualClock} in tests. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** Called before each wait, on the calling thread; for logging or metrics. Must not throw. */
        public Builder onRetry(Consumer<RetryEvent> listener) {
            this.onRetry = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** @throws IllegalArgumentException if the settings contradict each other */
        public RetryPolicy build() {
            if (maxDelay.compareTo(baseDelay) < 0) {
                throw new IllegalArgumentException("maxDelay (" + maxDelay + ") must be >= baseDelay (" + baseDelay
                        + ")");
            }
            return new RetryPolicy(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, was " + value);
            }
            return value;
        }
    }
}
