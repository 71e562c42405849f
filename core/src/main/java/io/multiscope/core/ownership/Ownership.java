package io.multiscope.core.ownership;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The registry's record of who owns one device and where it should provision.
 *
 * @param registrationId the DPS registration id, lower-cased
 * @param owner the tenant that owns the device now
 * @param activeInstanceId the DPS instance the device should end on (an instance id, at most 64 characters); empty
 *     until one is chosen
 * @param claim the claim code printed on the device (hashed) with its expiry and use, if one was issued
 * @param version increases by one with every change; conditional writes compare it
 * @param createdAt when the device entered the registry
 * @param updatedAt when the record last changed
 *
 * <p>Instants are kept to the microsecond (finer parts are dropped here), the finest every store keeps.
 */
public record Ownership(
        String registrationId,
        String owner,
        Optional<String> activeInstanceId,
        Optional<ClaimCode> claim,
        long version,
        Instant createdAt,
        Instant updatedAt) {

    public Ownership {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(activeInstanceId, "activeInstanceId");
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        OwnershipValues.requireInstanceId("activeInstanceId", activeInstanceId);
        createdAt = OwnershipValues.micros(createdAt);
        updatedAt = OwnershipValues.micros(updatedAt);
    }

    /** This record pointing at another DPS instance (not stored until passed to {@link OwnershipRegistry#update}). */
    public Ownership withActiveInstance(String instanceId) {
        return new Ownership(registrationId, owner, Optional.of(instanceId), claim, version, createdAt, updatedAt);
    }

    /** This record with another claim state (not stored until passed to {@link OwnershipRegistry#update}). */
    public Ownership withClaim(ClaimCode newClaim) {
        return new Ownership(registrationId, owner, activeInstanceId, Optional.of(newClaim), version, createdAt,
                updatedAt);
    }
}
