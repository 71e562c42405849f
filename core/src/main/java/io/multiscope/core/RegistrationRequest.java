package io.multiscope.core;

import io.multiscope.core.attestation.AttestationRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * A device asking the proxy (pattern 2) to register it with DPS on its behalf.
 *
 * @param assignment who the device is and what it wants, as in pattern 1
 * @param payloadJson a custom payload (a JSON object, as text) to hand to DPS, e.g. {@code {"modelId":"dtmi:..."}}
 */
public record RegistrationRequest(AssignmentRequest assignment, Optional<String> payloadJson) {

    /** The largest payload accepted, in characters (DPS's own message limit is 96 KB). */
    public static final int MAX_PAYLOAD_LENGTH = 8 * 1024;

    public RegistrationRequest {
        Objects.requireNonNull(assignment, "assignment");
        Objects.requireNonNull(payloadJson, "payloadJson");
    }

    public static RegistrationRequest of(AttestationRequest credentials) {
        return new RegistrationRequest(AssignmentRequest.of(credentials), Optional.empty());
    }

    public String registrationId() {
        return assignment.registrationId();
    }
}
