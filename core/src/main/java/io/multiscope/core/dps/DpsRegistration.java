package io.multiscope.core.dps;

import java.util.Objects;
import java.util.Optional;

/**
 * What DPS answered to a successful registration.
 *
 * @param registrationId as DPS echoed it
 * @param assignedHub the IoT hub host name the device belongs to
 * @param deviceId the device id on that hub
 * @param payloadJson the custom payload DPS returned (a JSON object), if any
 */
public record DpsRegistration(String registrationId, String assignedHub, String deviceId,
        Optional<String> payloadJson) {

    public DpsRegistration {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(assignedHub, "assignedHub");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(payloadJson, "payloadJson");
    }
}
