package io.multiscope.testkit.internal.dps;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** Enrollment writes with their side effects, shared by the service API and the programmatic test API. */
public final class EnrollmentCommands {

    private EnrollmentCommands() {
    }

    /**
     * Validates and stores one enrollment or group, stamping a new etag.
     *
     * @param ifMatch compared verbatim with the stored etag; {@code null} for an unconditional write
     * @throws DpsError 400 on invalid input, 412 on an etag mismatch
     */
    public static EnrollmentRecord write(InstanceRuntime instance, boolean group, String id, JsonNode body,
            String ifMatch) {
        VersionedStore<EnrollmentRecord> store = group ? instance.groups() : instance.enrollments();
        Instant now = instance.clock().instant();
        return store.write(id, ifMatch, current -> EnrollmentJson
                .parse(group, id, body, current, instance.linkedHubs())
                .stamped(Etags.forEnrollment(), current == null ? now : current.created(), now));
    }

    /**
     * Deletes an enrollment or group and the registration states that came from it.
     *
     * @throws DpsError 404 if absent, 412 on an etag mismatch
     */
    public static void delete(InstanceRuntime instance, boolean group, String id, String ifMatch) {
        if (group) {
            EnrollmentRecord removed = instance.groups().delete(id, ifMatch);
            instance.registrations().removeIf(r -> removed.id().equalsIgnoreCase(r.enrollmentGroupId()));
        } else {
            instance.enrollments().delete(id, ifMatch);
            instance.registrations().removeIf(r -> r.enrollmentGroupId() == null
                    && r.registrationId().equalsIgnoreCase(id));
        }
    }
}
