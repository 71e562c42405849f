package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * A device's registration state in one instance.
 *
 * @param registrationId as the device spelled it
 * @param status {@code assigned}, {@code failed} or {@code disabled}
 * @param lastAssignedHub the hub the device was last assigned to, kept through failures so that a later
 *     registration is still treated as a re-provisioning
 * @param enrollmentGroupId the group the device registered through, or {@code null} for an individual enrollment
 * @param attestationType {@code symmetricKey} or {@code x509}
 * @param payload the custom payload returned to the device (an object), or {@code null}
 * @param twin the device twin the assigned hub would hold after this registration, or {@code null}
 */
public record RegistrationRecord(
        String registrationId,
        String deviceId,
        String status,
        String substatus,
        String assignedHub,
        String lastAssignedHub,
        String enrollmentGroupId,
        String attestationType,
        Integer errorCode,
        String errorMessage,
        JsonNode payload,
        JsonNode twin,
        Instant created,
        Instant lastUpdated,
        String etag) {

    public boolean isAssigned() {
        return "assigned".equals(status);
    }

    /** The registration state as the device API returns it ({@code registrationState}). */
    public ObjectNode renderForDevice() {
        ObjectNode out = renderCommon();
        if (payload != null && payload.isObject()) {
            out.set("payload", payload);
        }
        if (enrollmentGroupId != null && attestationType != null) {
            out.putObject(attestationType).put("enrollmentGroupId", enrollmentGroupId);
        }
        return out;
    }

    /** The registration state as the service API returns it ({@code DeviceRegistrationState}). */
    public ObjectNode renderForService() {
        return renderCommon();
    }

    private ObjectNode renderCommon() {
        ObjectNode out = DpsJson.object();
        out.put("registrationId", registrationId);
        out.put("createdDateTimeUtc", DpsJson.timestamp(created));
        if (assignedHub != null) {
            out.put("assignedHub", assignedHub);
        }
        if (deviceId != null) {
            out.put("deviceId", deviceId);
        }
        out.put("status", status);
        if (substatus != null) {
            out.put("substatus", substatus);
        }
        if (errorCode != null) {
            out.put("errorCode", errorCode);
        }
        if (errorMessage != null) {
            out.put("errorMessage", errorMessage);
        }
        out.put("lastUpdatedDateTimeUtc", DpsJson.timestamp(lastUpdated));
        out.put("etag", etag);
        return out;
    }
}
