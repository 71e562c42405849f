package io.multiscope.core;

import java.time.Duration;
import java.util.Objects;

/** The answer to a device: where to provision, or when to come back. */
public sealed interface AssignmentResult {

    /**
     * The device belongs on this assignment's instance.
     *
     * @param newlyAssigned true if this request placed the device; false if it was already placed (sticky)
     */
    record Assigned(DeviceAssignment assignment, boolean newlyAssigned) implements AssignmentResult {
        public Assigned {
            Objects.requireNonNull(assignment, "assignment");
        }
    }

    /** Every eligible instance is at its registration rate limit; retry after the given (jittered) delay. */
    record Deferred(String registrationId, Duration retryAfter, String reason) implements AssignmentResult {
        public Deferred {
            Objects.requireNonNull(registrationId, "registrationId");
            Objects.requireNonNull(retryAfter, "retryAfter");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
