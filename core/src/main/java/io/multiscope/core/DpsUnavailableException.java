package io.multiscope.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The device's DPS instance cannot be reached or keeps failing right now (its circuit is open, or retries ran out on
 * throttling, server errors or no answer). Nothing about the device changed except that it keeps its place on that
 * instance; trying again after {@link #retryAfter()} may succeed.
 */
public class DpsUnavailableException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    public DpsUnavailableException(String message, String registrationId, String instanceId, Duration retryAfter,
            Throwable cause) {
        super(message, registrationId, instanceId, cause);
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** When trying again makes sense. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
