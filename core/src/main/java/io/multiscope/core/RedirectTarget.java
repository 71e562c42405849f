package io.multiscope.core;

import java.util.Objects;

/**
 * Where a factory DPS sends a device on (pattern 3): its owner's DPS instance, as {@link RedirectProvisioning#allocate}
 * found or chose it.
 *
 * @param registrationId the device, lower-cased
 * @param owner the device's owner now
 * @param instanceId the owner's DPS instance the device belongs to
 * @param idScope that instance's ID scope
 * @param globalEndpoint that instance's device endpoint (what the device's SDK takes as its global endpoint)
 * @param newlyAssigned whether this call placed the device (first time on any instance), rather than finding it placed
 */
public record RedirectTarget(String registrationId, String owner, String instanceId, String idScope,
        String globalEndpoint, boolean newlyAssigned) {

    public RedirectTarget {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(idScope, "idScope");
        Objects.requireNonNull(globalEndpoint, "globalEndpoint");
    }
}
