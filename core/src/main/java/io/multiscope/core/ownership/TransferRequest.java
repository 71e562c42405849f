package io.multiscope.core.ownership;

import java.util.Objects;
import java.util.Optional;

/**
 * A change of owner, conditional on the record's version.
 *
 * @param registrationId the device
 * @param expectedVersion the version the caller read
 * @param newOwner the owner after the transfer (may equal the current one: a move between the owner's instances)
 * @param newActiveInstanceId the DPS instance for the new owner (at most 64 characters), or empty to let the next
 *     provisioning choose
 * @param actor who asks (recorded in the history; 1 to 256 characters)
 */
public record TransferRequest(String registrationId, long expectedVersion, String newOwner,
        Optional<String> newActiveInstanceId, String actor) {

    public TransferRequest {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(newOwner, "newOwner");
        Objects.requireNonNull(newActiveInstanceId, "newActiveInstanceId");
        Objects.requireNonNull(actor, "actor");
        OwnershipValues.requireInstanceId("newActiveInstanceId", newActiveInstanceId);
        OwnershipValues.requireText("actor", actor, OwnershipValues.MAX_NAME);
    }
}
