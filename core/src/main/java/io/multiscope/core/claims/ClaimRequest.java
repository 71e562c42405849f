package io.multiscope.core.claims;

import java.util.Objects;

/**
 * An installer's claim: the device's registration id and the code printed on it, as typed (both are validated by
 * {@link ClaimService}).
 */
public record ClaimRequest(String registrationId, String claimCode) {

    public ClaimRequest {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(claimCode, "claimCode");
    }

    /** Never prints the code. */
    @Override
    public String toString() {
        return "ClaimRequest[registrationId=" + registrationId + ", claimCode=(hidden)]";
    }
}
