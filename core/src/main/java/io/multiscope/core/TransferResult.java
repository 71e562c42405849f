package io.multiscope.core;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of transferring one device to a new owner.
 *
 * @param registrationId the device, lower-cased
 * @param status what happened
 * @param previousOwner the owner before the transfer ({@link Status#TRANSFERRED}), or the owner that already had it
 *     ({@link Status#ALREADY_OWNED}); empty otherwise
 * @param newOwner the owner asked for
 * @param fromInstanceId the DPS instance the device was meant for before, if it had one
 * @param toInstanceId the new owner's DPS instance chosen for the device; empty if the device was never placed (its
 *     first provisioning will choose)
 * @param cleanup the deletion of the device's registration on the instance it left, when it left one
 * @param reason why the device was not transferred ({@link Status#FAILED}, {@link Status#UNKNOWN_DEVICE}), or what
 *     of a {@link Status#TRANSFERRED} device is not done yet (its assignment could not be moved; repeating the
 *     transfer completes it)
 */
public record TransferResult(
        String registrationId,
        Status status,
        Optional<String> previousOwner,
        String newOwner,
        Optional<String> fromInstanceId,
        Optional<String> toInstanceId,
        Optional<RegistrationCleanup> cleanup,
        Optional<String> reason) {

    /** What happened to one device. */
    public enum Status {
        /** The device has the new owner, recorded in its history; it follows on its next reprovisioning. */
        TRANSFERRED,
        /** The device already belonged to the new owner; nothing changed. */
        ALREADY_OWNED,
        /** The device is not in the ownership registry; nothing changed. */
        UNKNOWN_DEVICE,
        /** The transfer failed for this device ({@link #reason()} says why); it was not recorded. */
        FAILED
    }

    public TransferResult {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(previousOwner, "previousOwner");
        Objects.requireNonNull(newOwner, "newOwner");
        Objects.requireNonNull(fromInstanceId, "fromInstanceId");
        Objects.requireNonNull(toInstanceId, "toInstanceId");
        Objects.requireNonNull(cleanup, "cleanup");
        Objects.requireNonNull(reason, "reason");
    }

    static TransferResult alreadyOwned(String registrationId, String owner, Optional<String> instanceId,
            Optional<RegistrationCleanup> cleanup) {
        return new TransferResult(registrationId, Status.ALREADY_OWNED, Optional.of(owner), owner, instanceId,
                instanceId, cleanup, Optional.empty());
    }

    static TransferResult unknownDevice(String registrationId, String newOwner) {
        return new TransferResult(registrationId, Status.UNKNOWN_DEVICE, Optional.empty(), newOwner,
                Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("device '" + registrationId + "' is not in the ownership registry"));
    }

    static TransferResult failed(String registrationId, String newOwner, String reason) {
        return new TransferResult(registrationId, Status.FAILED, Optional.empty(), newOwner, Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of(reason));
    }

    /** Whether the device was transferred but its old registration still has to be deleted. */
    public boolean isCleanupPending() {
        return cleanup.map(c -> c.status() == RegistrationCleanup.Status.PENDING).orElse(false);
    }
}
