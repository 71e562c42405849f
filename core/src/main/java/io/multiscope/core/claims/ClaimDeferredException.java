package io.multiscope.core.claims;

import io.multiscope.core.MultiscopeException;
import java.time.Duration;
import java.util.Objects;

/**
 * The claim was accepted, but the provisioning service had no DPS budget for the device right now (every eligible
 * instance is at its registration rate limit). The code stays unused: claim again after {@link #retryAfter()}.
 */
public class ClaimDeferredException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    public ClaimDeferredException(String registrationId, Duration retryAfter, String reason) {
        super("Device '" + registrationId + "' cannot be provisioned right now (" + reason + "); its claim code is "
                + "still unused, claim it again later", registrationId, null, null);
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
