package io.multiscope.core.claims;

import java.time.Instant;
import java.util.Objects;

/**
 * A claim code just issued for a device: the only moment its text exists outside the device's label. Print it (or
 * hand it to the label printer) and drop it; the registry keeps only its hash.
 *
 * @param registrationId the device, normalised
 * @param owner the device's owner, whose installers may claim it with this code
 * @param code the code, formatted for printing ({@code 7KQ4-M2XD-9HTB-R0CE})
 * @param expiresAt the first instant the code is no longer accepted
 */
public record IssuedClaimCode(String registrationId, String owner, String code, Instant expiresAt) {

    public IssuedClaimCode {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** Never prints the code, so it does not end up in a log by accident. */
    @Override
    public String toString() {
        return "IssuedClaimCode[registrationId=" + registrationId + ", owner=" + owner + ", expiresAt=" + expiresAt
                + ", code=(hidden)]";
    }
}
