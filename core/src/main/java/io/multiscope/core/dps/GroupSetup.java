package io.multiscope.core.dps;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link DpsEnrollmentGateway#ensureGroup} found or did on one instance.
 *
 * @param etag the group's etag after the call, when DPS returned one
 */
public record GroupSetup(String instanceId, String enrollmentGroupId, Outcome outcome, Optional<String> etag) {

    /** Whether the group was created, was already there, or is there with other keys. */
    public enum Outcome {
        /** The group did not exist and was created with the configured keys. */
        CREATED,
        /** The group exists with the configured keys; nothing was changed. */
        PRESENT,
        /**
         * The group exists with other keys; nothing was changed, and registrations through the proxy will fail there
         * until the keys in the configuration and in DPS agree.
         */
        KEY_MISMATCH
    }

    public GroupSetup {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(enrollmentGroupId, "enrollmentGroupId");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(etag, "etag");
    }
}
