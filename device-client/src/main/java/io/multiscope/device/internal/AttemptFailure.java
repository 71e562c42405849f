package io.multiscope.device.internal;

import io.multiscope.device.FailureKind;
import io.multiscope.device.ProvisioningEvent.Step;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** One failed network step of an attempt, classified. */
public final class AttemptFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final FailureKind kind;
    private final Step step;
    private final int status;
    private final transient Duration retryAfter;

    /**
     * @param status the HTTP status, or 0 when the failure had none (transport error, timeout, bad settings)
     * @param retryAfter what the service asked the device to wait, or null
     */
    public AttemptFailure(FailureKind kind, Step step, int status, Duration retryAfter, String message,
            Throwable cause) {
        super(message, cause, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.step = Objects.requireNonNull(step, "step");
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public FailureKind kind() {
        return kind;
    }

    public Step step() {
        return step;
    }

    /** The HTTP status, 0 if none. */
    public int status() {
        return status;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
