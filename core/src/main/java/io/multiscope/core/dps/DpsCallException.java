package io.multiscope.core.dps;

import io.multiscope.core.MultiscopeException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A call to DPS (device registration or service API) failed. {@link #status()} is the HTTP status DPS answered, or
 * {@link #NO_ANSWER} when there was no answer at all (connection refused or cut, timeout). {@link #isTransient()} says
 * whether trying again later can help: a {@code 429}, a {@code 5xx} or no answer. The message names the device and the
 * instance, never a key or token.
 */
public class DpsCallException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    /** The status of a call that got no HTTP answer. */
    public static final int NO_ANSWER = 0;

    private final int status;
    private final transient Optional<Duration> retryAfter;
    private final boolean transientFailure;

    /** A failure whose transience follows from its status (see {@link #isTransientStatus}). */
    public DpsCallException(String message, String registrationId, String instanceId, int status,
            Optional<Duration> retryAfter, Throwable cause) {
        this(message, registrationId, instanceId, status, retryAfter, isTransientStatus(status), cause);
    }

    /**
     * @param transientFailure whether trying again can help (a TLS trust failure gets no answer, but retrying will
     *     not fix it)
     */
    public DpsCallException(String message, String registrationId, String instanceId, int status,
            Optional<Duration> retryAfter, boolean transientFailure, Throwable cause) {
        super(message, registrationId, instanceId, cause);
        this.status = status;
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        this.transientFailure = transientFailure;
    }

    /** Throttling ({@code 429}), a timeout ({@code 408}), a server error ({@code 5xx}) or no answer. */
    public static boolean isTransientStatus(int status) {
        return status == NO_ANSWER || status == 429 || status == 408 || status >= 500;
    }

    /** The HTTP status DPS answered, or {@link #NO_ANSWER}. */
    public int status() {
        return status;
    }

    /**
     * The wait DPS asked for, when the failure carries one. The Java device SDK does not expose response headers, so
     * this is only present when DPS put a hint into the error body; callers choose what to assume otherwise.
     */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** DPS is throttling the instance. */
    public boolean isThrottled() {
        return status == 429;
    }

    /** Whether trying again later can help: throttling, a server error, or no answer. */
    public boolean isTransient() {
        return transientFailure;
    }
}
