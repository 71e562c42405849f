package io.multiscope.store.cosmos;

import io.multiscope.core.retry.RetryPolicy;
import io.multiscope.core.store.StoreException;
import io.multiscope.core.time.Sleeper;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Decides whether and when a failed Cosmos DB request is tried again. The store calls it around every single request
 * (never around a multi-step operation), and every request it makes is safe to repeat: creates, conditional writes and
 * counter increments carry the operation's id, so a repeat that finds its own earlier effect treats it as done.
 *
 * <p>An attempt fails with a {@link CosmosStoreException}; {@link CosmosStoreException#isTransient()} says whether a
 * retry may help (429, 449, 503, 408, 410) and {@link CosmosStoreException#retryAfter()} carries the server's hint.
 * The hooks here run on the core {@link RetryPolicy}.
 */
public interface RetryHook {

    /**
     * Runs {@code attempt} at least once and returns its result, or rethrows its last failure.
     *
     * @param operation what the attempt does, for logs (e.g. {@code "create device 'dev-1'"})
     */
    <T> T run(String operation, Supplier<T> attempt);

    /**
     * The default: up to 5 attempts of transient failures, exponential backoff with full jitter from 50 ms up to 2 s,
     * honouring the server's retry-after, sleeping in real time.
     */
    static RetryHook defaults() {
        return bounded(5, Duration.ofMillis(50), Duration.ofSeconds(2), Sleeper.SYSTEM);
    }

    /**
     * Up to {@code maxAttempts} attempts of transient failures, waiting a random time up to {@code base * 2^(n-1)}
     * (at most {@code cap}) after the n-th, or the server's retry-after when it gives one.
     *
     * @param sleeper waits; a {@link io.multiscope.core.time.VirtualClock} waits in virtual time
     */
    static RetryHook bounded(int maxAttempts, Duration base, Duration cap, Sleeper sleeper) {
        return of(RetryPolicy.builder().maxAttempts(maxAttempts).baseDelay(base).maxDelay(cap).sleeper(sleeper)
                .build());
    }

    /**
     * Runs every request through {@code policy}, retrying transient {@link StoreException}s only and taking the
     * server's retry-after from {@link CosmosStoreException#retryAfter()}; the policy's own retry predicate and
     * retry-after function are replaced.
     */
    static RetryHook of(RetryPolicy policy) {
        RetryPolicy forCosmos = policy.toBuilder()
                .retryIf(e -> e instanceof StoreException s && s.isTransient())
                .retryAfter(e -> e instanceof CosmosStoreException c ? c.retryAfter() : java.util.Optional.empty())
                .build();
        return new RetryHook() {
            @Override
            public <T> T run(String operation, Supplier<T> attempt) {
                return forCosmos.execute(attempt::get);
            }
        };
    }

    /** No retries: every failure surfaces at once (the SDK's own throttling retries still apply). */
    static RetryHook none() {
        return new RetryHook() {
            @Override
            public <T> T run(String operation, Supplier<T> attempt) {
                return attempt.get();
            }
        };
    }
}
