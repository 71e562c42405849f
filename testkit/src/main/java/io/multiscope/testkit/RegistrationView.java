package io.multiscope.testkit;

import java.time.Instant;

/**
 * A device's registration state in an emulated instance, for test assertions. Fields DPS leaves empty for the
 * status are {@code null}.
 *
 * @param status {@code assigned}, {@code failed} or {@code disabled} (the outcome is recorded when the device
 *     registers, even in realistic mode where the device learns it from a poll)
 * @param substatus {@code initialAssignment}, {@code deviceDataMigrated}, {@code deviceDataReset} or
 *     {@code reprovisionedToInitialAssignment}, when assigned
 * @param enrollmentGroupId the group the device registered through; {@code null} for an individual enrollment
 * @param attestationType {@code symmetricKey} or {@code x509}
 * @param payloadJson the custom payload returned to the device, as JSON
 * @param twinJson the twin the assigned hub would hold after this registration (the initial twin on first
 *     assignment and on reset, kept on migration), as JSON
 */
public record RegistrationView(
        String registrationId,
        String deviceId,
        String status,
        String substatus,
        String assignedHub,
        String enrollmentGroupId,
        String attestationType,
        Integer errorCode,
        String errorMessage,
        String payloadJson,
        String twinJson,
        Instant created,
        Instant lastUpdated,
        String etag) {

    public boolean isAssigned() {
        return "assigned".equals(status);
    }
}
