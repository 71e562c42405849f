package io.multiscope.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** The proxy's answer to a device: registered (with its hub), or come back later. */
public sealed interface RegistrationResult {

    /**
     * The device is registered with DPS; {@link #assignment()} names the instance, hub and device id.
     *
     * @param payloadJson the payload DPS returned on this registration (a JSON object); empty on a repeated request,
     *     which is answered from the inventory without asking DPS
     * @param newlyRegistered true if this request registered the device with DPS
     */
    record Registered(DeviceAssignment assignment, Optional<String> payloadJson, boolean newlyRegistered)
            implements RegistrationResult {
        public Registered {
            Objects.requireNonNull(assignment, "assignment");
            Objects.requireNonNull(payloadJson, "payloadJson");
            if (assignment.assignedHub().isEmpty() || assignment.deviceId().isEmpty()) {
                throw new IllegalArgumentException("a registered device has a hub and a device id: " + assignment);
            }
        }

        public String assignedHub() {
            return assignment.assignedHub().orElseThrow();
        }

        public String deviceId() {
            return assignment.deviceId().orElseThrow();
        }
    }

    /** Every eligible instance is out of budget and the wait queue could not help; retry after the (jittered) delay. */
    record Deferred(String registrationId, Duration retryAfter, String reason) implements RegistrationResult {
        public Deferred {
            Objects.requireNonNull(registrationId, "registrationId");
            Objects.requireNonNull(retryAfter, "retryAfter");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
