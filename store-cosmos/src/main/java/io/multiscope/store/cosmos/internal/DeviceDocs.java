package io.multiscope.store.cosmos.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.AssignmentState;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import java.time.Instant;
import java.util.Optional;

/** Device documents: one per device, id and partition key its registration id. */
public final class DeviceDocs {

    private DeviceDocs() {
    }

    /**
     * A device document as read.
     *
     * @param assignment the record it holds
     * @param marker the operation in progress on it, or null
     * @param lastOp id of the operation that last wrote it
     * @param etag its etag, for conditional writes
     * @param json the document itself
     */
    public record View(DeviceAssignment assignment, Marker marker, String lastOp, String etag, ObjectNode json) {

        public String registrationId() {
            return assignment.registrationId();
        }

        public boolean pending() {
            return marker != null;
        }

        /** Whether {@code operationId} wrote this document last or is running on it. */
        public boolean touchedBy(String operationId) {
            return operationId.equals(lastOp) || (marker != null && operationId.equals(marker.id()));
        }
    }

    public static View view(Documents.Stored stored) {
        ObjectNode doc = Json.checked(stored.body(), Names.KIND_DEVICE);
        String id = Json.text(doc, Names.ID);
        AssignmentState state;
        try {
            state = AssignmentState.valueOf(Json.text(doc, Names.STATE));
        } catch (IllegalArgumentException e) {
            throw Json.malformed(id, "unknown state " + doc.get(Names.STATE), e);
        }
        DeviceAssignment a = new DeviceAssignment(id, Json.optionalText(doc, Names.TENANT),
                Json.text(doc, Names.INSTANCE), Json.text(doc, Names.ID_SCOPE), Json.text(doc, Names.GLOBAL_ENDPOINT),
                Json.optionalText(doc, Names.HUB), Json.optionalText(doc, Names.DEVICE_ID), state,
                Json.number(doc, Names.VERSION), Json.instant(doc, Names.CREATED_AT),
                Json.instant(doc, Names.UPDATED_AT));
        JsonNode pending = doc.get(Names.PENDING);
        Marker marker = pending instanceof ObjectNode p ? Marker.fromJson(p, id) : null;
        return new View(a, marker, Json.optionalText(doc, Names.LAST_OP).orElse(null), stored.etag(), doc);
    }

    /** The document of a new assignment, marked as in progress. */
    public static ObjectNode newAssignment(DeviceAssignment a, String operationId, Marker marker) {
        ObjectNode doc = Json.newDocument(a.registrationId(), a.registrationId(), Names.KIND_DEVICE);
        write(doc, a, operationId);
        doc.set(Names.PENDING, marker.toJson());
        return doc;
    }

    /** The record of a device newly placed on {@code instance} (by assign or move). */
    public static DeviceAssignment placed(String registrationId, Optional<String> tenant, DpsInstance instance,
            long version, Instant createdAt, Instant now) {
        return new DeviceAssignment(registrationId, tenant, instance.id(), instance.idScope(),
                instance.globalEndpoint(), Optional.empty(), Optional.empty(), AssignmentState.ASSIGNED, version,
                createdAt, now);
    }

    /** {@code current}'s document with the record replaced by {@code a}, written by {@code operationId}. */
    public static ObjectNode rewritten(View current, DeviceAssignment a, String operationId, Marker marker) {
        ObjectNode doc = current.json().deepCopy();
        write(doc, a, operationId);
        if (marker == null) {
            doc.remove(Names.PENDING);
        } else {
            doc.set(Names.PENDING, marker.toJson());
        }
        return doc;
    }

    /** {@code current}'s document, unchanged but for the marker. */
    public static ObjectNode marked(View current, String operationId, Marker marker) {
        return rewritten(current, current.assignment(), operationId, marker);
    }

    private static void write(ObjectNode doc, DeviceAssignment a, String operationId) {
        Json.putOptional(doc, Names.TENANT, a.tenant());
        doc.put(Names.INSTANCE, a.instanceId());
        doc.put(Names.ID_SCOPE, a.idScope());
        doc.put(Names.GLOBAL_ENDPOINT, a.globalEndpoint());
        Json.putOptional(doc, Names.HUB, a.assignedHub());
        Json.putOptional(doc, Names.DEVICE_ID, a.deviceId());
        doc.put(Names.STATE, a.state().name());
        doc.put(Names.VERSION, a.version());
        doc.put(Names.CREATED_AT, a.createdAt().toString());
        doc.put(Names.UPDATED_AT, a.updatedAt().toString());
        doc.put(Names.LAST_OP, operationId);
    }
}
