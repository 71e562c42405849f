package io.multiscope.core.ownership;

import java.util.Objects;
import java.util.Optional;

/**
 * A device entering the registry, typically from the manufacturer's import.
 *
 * @param registrationId lower-cased, valid DPS registration id
 * @param owner the first owner (often the vendor itself)
 * @param activeInstanceId the DPS instance to send it to, if already decided (at most 64 characters)
 * @param claim a claim code (hashed) issued with the device, if any
 */
public record NewOwnership(String registrationId, String owner, Optional<String> activeInstanceId,
        Optional<ClaimCode> claim) {

    public NewOwnership {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(activeInstanceId, "activeInstanceId");
        Objects.requireNonNull(claim, "claim");
        OwnershipValues.requireInstanceId("activeInstanceId", activeInstanceId);
    }

    public static NewOwnership of(String registrationId, String owner) {
        return new NewOwnership(registrationId, owner, Optional.empty(), Optional.empty());
    }
}
