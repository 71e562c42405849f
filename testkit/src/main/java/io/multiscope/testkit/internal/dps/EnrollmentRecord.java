package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import io.multiscope.testkit.AllocationPolicy;
import io.multiscope.testkit.ReprovisionPolicy;
import java.time.Instant;
import java.util.List;

/**
 * One stored individual enrollment or enrollment group, validated.
 *
 * @param group whether this is an enrollment group ({@code id} is then the group id)
 * @param id registration id or enrollment group id, as the client spelled it
 * @param allocationPolicy {@code null} to use the instance's policy
 * @param initialTwin the twin document as sent, or {@code null}
 */
public record EnrollmentRecord(
        boolean group,
        String id,
        String deviceId,
        EnrollmentAttestation attestation,
        String iotHubHostName,
        List<String> iotHubs,
        JsonNode initialTwin,
        boolean enabled,
        boolean iotEdge,
        AllocationPolicy allocationPolicy,
        String webhookUrl,
        String webhookApiVersion,
        ReprovisionPolicy reprovisionPolicy,
        String etag,
        Instant created,
        Instant lastUpdated) {

    public EnrollmentRecord {
        iotHubs = List.copyOf(iotHubs);
    }

    public String kind() {
        return group ? "enrollment group" : "individual enrollment";
    }

    EnrollmentRecord stamped(String newEtag, Instant newCreated, Instant newLastUpdated) {
        return new EnrollmentRecord(group, id, deviceId, attestation, iotHubHostName, iotHubs, initialTwin, enabled,
                iotEdge, allocationPolicy, webhookUrl, webhookApiVersion, reprovisionPolicy, newEtag, newCreated,
                newLastUpdated);
    }
}
