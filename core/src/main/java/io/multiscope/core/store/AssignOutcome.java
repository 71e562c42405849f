package io.multiscope.core.store;

import io.multiscope.core.DeviceAssignment;
import java.util.Objects;

/** The result of {@link InventoryStore#assign} or {@link InventoryStore#move}. */
public sealed interface AssignOutcome {

    /** The device is now on the requested instance (a new record, or a moved one). */
    record Created(DeviceAssignment assignment) implements AssignOutcome {
        public Created {
            Objects.requireNonNull(assignment, "assignment");
        }
    }

    /** The device already had a record; it is returned unchanged. */
    record Existing(DeviceAssignment assignment) implements AssignOutcome {
        public Existing {
            Objects.requireNonNull(assignment, "assignment");
        }
    }

    /** The instance took no device: it is not active, or it is full. Nothing changed. */
    record Refused(String instanceId, Reason reason) implements AssignOutcome {
        public Refused {
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Why an instance refused a device. */
    enum Reason {
        NOT_ACTIVE,
        FULL
    }
}
