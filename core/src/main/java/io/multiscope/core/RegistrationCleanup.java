package io.multiscope.core;

import java.util.Objects;
import java.util.Optional;

/**
 * What became of a device's registration on the DPS instance it left (a transfer of ownership): its registration state
 * there is deleted through the DPS service API, so the old owner's DPS no longer lists it.
 *
 * @param registrationId the device
 * @param instanceId the DPS instance the device left
 * @param status the outcome
 * @param detail why the cleanup is pending or was not attempted; empty when it is done
 */
public record RegistrationCleanup(String registrationId, String instanceId, Status status, Optional<String> detail) {

    /** The outcome of deleting the old registration. */
    public enum Status {
        /** The registration state was deleted. */
        DELETED,
        /** The old instance had no registration state for the device (it never registered there, or it is gone). */
        NOT_FOUND,
        /**
         * The deletion failed (DPS unreachable, throttling, refused); the transfer stands. Retry with
         * {@link RedirectProvisioning#retryCleanup} or {@link RedirectProvisioning#retryPendingCleanups}.
         */
        PENDING,
        /** No service credentials are configured for the old instance, so nothing was attempted. */
        NOT_CONFIGURED
    }

    public RegistrationCleanup {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    /** Whether the old registration is known to be gone (deleted, or there was none). */
    public boolean isDone() {
        return status == Status.DELETED || status == Status.NOT_FOUND;
    }
}
