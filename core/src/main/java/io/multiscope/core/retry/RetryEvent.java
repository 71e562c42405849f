package io.multiscope.core.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A retry about to happen: the failure that caused it and how long the policy waits first. Delivered to
 * {@link RetryPolicy.Builder#onRetry} listeners, for logging and metrics.
 *
 * @param failedAttempts how many attempts have failed so far (1 after the first failure)
 * @param failure the failure of the latest attempt
 * @param delay how long the policy waits before the next attempt
 * @param retryAfter the server's {@code Retry-After} found in the failure, if any (the delay then honours it)
 */
public record RetryEvent(int failedAttempts, Throwable failure, Duration delay, Optional<Duration> retryAfter) {

    public RetryEvent {
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }
}
