package io.multiscope.core.ownership;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a device's transfer history.
 *
 * @param registrationId the device
 * @param sequence 1 for the device's first transfer, then 2, 3, ...
 * @param fromOwner the owner before
 * @param toOwner the owner after
 * @param fromInstanceId the active DPS instance before, if one was set
 * @param toInstanceId the active DPS instance after, if one was set
 * @param actor who asked for the transfer (an admin, an installer, a job)
 * @param at when the registry recorded it (to the microsecond)
 */
public record OwnershipTransfer(
        String registrationId,
        long sequence,
        String fromOwner,
        String toOwner,
        Optional<String> fromInstanceId,
        Optional<String> toInstanceId,
        String actor,
        Instant at) {

    public OwnershipTransfer {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(fromOwner, "fromOwner");
        Objects.requireNonNull(toOwner, "toOwner");
        Objects.requireNonNull(fromInstanceId, "fromInstanceId");
        Objects.requireNonNull(toInstanceId, "toInstanceId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(at, "at");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence starts at 1");
        }
        at = OwnershipValues.micros(at);
    }
}
