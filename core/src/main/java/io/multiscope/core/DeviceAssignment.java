package io.multiscope.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The inventory's record of where one device belongs.
 *
 * @param registrationId the DPS registration id, lower-cased
 * @param tenant the device's owner, if known
 * @param instanceId the DPS instance the device belongs to
 * @param idScope that instance's ID scope (copied so a device can be answered from this record alone)
 * @param globalEndpoint that instance's device endpoint
 * @param assignedHub the IoT hub DPS assigned, once known
 * @param deviceId the device id on that hub, once known
 * @param state where the assignment stands
 * @param version increases by one with every change; conditional writes compare it
 * @param createdAt when the device was first assigned
 * @param updatedAt when the record last changed
 */
public record DeviceAssignment(
        String registrationId,
        Optional<String> tenant,
        String instanceId,
        String idScope,
        String globalEndpoint,
        Optional<String> assignedHub,
        Optional<String> deviceId,
        AssignmentState state,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    public DeviceAssignment {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(idScope, "idScope");
        Objects.requireNonNull(globalEndpoint, "globalEndpoint");
        Objects.requireNonNull(assignedHub, "assignedHub");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** This record with the hub and device id DPS assigned, state {@link AssignmentState#REGISTERED}. */
    public DeviceAssignment registered(String hub, String hubDeviceId) {
        return new DeviceAssignment(registrationId, tenant, instanceId, idScope, globalEndpoint,
                Optional.of(hub), Optional.of(hubDeviceId), AssignmentState.REGISTERED, version, createdAt, updatedAt);
    }

    /** This record with another owner (a transfer of ownership). */
    public DeviceAssignment withTenant(String newTenant) {
        return new DeviceAssignment(registrationId, Optional.of(newTenant), instanceId, idScope, globalEndpoint,
                assignedHub, deviceId, state, version, createdAt, updatedAt);
    }

    /** This record with another state. */
    public DeviceAssignment withState(AssignmentState newState) {
        return new DeviceAssignment(registrationId, tenant, instanceId, idScope, globalEndpoint, assignedHub,
                deviceId, newState, version, createdAt, updatedAt);
    }
}
