package io.multiscope.core;

import io.multiscope.core.attestation.AttestationRequest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A device asking where to provision (pattern 1).
 *
 * @param credentials what the device presented to prove who it is; its registration id is the one asked for
 * @param region the region the device must be provisioned in, if any
 * @param tenant the tenant the device claims, if its credentials do not already say
 * @param attributes device attributes for the allocation strategy
 */
public record AssignmentRequest(
        AttestationRequest credentials,
        Optional<String> region,
        Optional<String> tenant,
        Map<String, String> attributes) {

    /** The most attributes a request may carry, and the longest key or value. */
    public static final int MAX_ATTRIBUTES = 32;
    public static final int MAX_ATTRIBUTE_LENGTH = 256;

    public AssignmentRequest {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(tenant, "tenant");
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
    }

    public static AssignmentRequest of(AttestationRequest credentials) {
        return new AssignmentRequest(credentials, Optional.empty(), Optional.empty(), Map.of());
    }

    public String registrationId() {
        return credentials.registrationId();
    }
}
