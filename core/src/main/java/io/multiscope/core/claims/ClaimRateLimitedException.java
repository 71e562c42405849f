package io.multiscope.core.claims;

import io.multiscope.core.MultiscopeException;
import java.time.Duration;
import java.util.Objects;

/**
 * The installer made more claim attempts than the rate limit allows; the attempt was not looked at (even a right code
 * is refused) and nothing changed. Try again after {@link #retryAfter()}.
 */
public class ClaimRateLimitedException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    private final String installerId;
    private final Duration retryAfter;

    public ClaimRateLimitedException(String installerId, Duration retryAfter) {
        super("Installer '" + installerId + "' made too many claim attempts; try again in "
                + Math.max(1, (retryAfter.toMillis() + 999) / 1000) + " s");
        this.installerId = Objects.requireNonNull(installerId, "installerId");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    public String installerId() {
        return installerId;
    }

    /** When the installer's next attempt will be looked at. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
