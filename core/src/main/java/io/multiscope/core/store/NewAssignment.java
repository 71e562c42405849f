package io.multiscope.core.store;

import java.util.Objects;
import java.util.Optional;

/**
 * A request to place a device on an instance.
 *
 * @param registrationId lower-cased, valid DPS registration id
 * @param instanceId the chosen instance
 * @param tenant the device's owner, if known
 */
public record NewAssignment(String registrationId, String instanceId, Optional<String> tenant) {

    public NewAssignment {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(tenant, "tenant");
    }

    public static NewAssignment of(String registrationId, String instanceId) {
        return new NewAssignment(registrationId, instanceId, Optional.empty());
    }
}
