package io.multiscope.testkit;

/** The kinds of request an emulated DPS instance counts and can inject faults into. */
public enum RequestKind {
    /** Device API: {@code PUT /{idScope}/registrations/{id}/register}. */
    REGISTER,
    /** Device API: {@code GET /{idScope}/registrations/{id}/operations/{operationId}}. */
    OPERATION_STATUS,
    /** Device API: {@code POST /{idScope}/registrations/{id}}, the registration status lookup. */
    STATUS_LOOKUP,
    /** Any call on the service API (enrollments, enrollment groups, registration states). */
    SERVICE_OPERATION
}
