package io.multiscope.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a strategy knows about the device being placed.
 *
 * @param registrationId the device's DPS registration id, lower-cased (DPS ids are case-insensitive)
 * @param tenant the device's owner or tenant, if known
 * @param region the region the device must (or prefers to) be provisioned in, if any
 * @param attributes free-form device attributes (model, firmware, site, ...); never null
 * @param reprovision whether the device already has an instance and asks to be placed again
 * @param currentInstanceId the device's current instance when {@code reprovision} is true
 */
public record AllocationRequest(
        String registrationId,
        Optional<String> tenant,
        Optional<String> region,
        Map<String, String> attributes,
        boolean reprovision,
        Optional<String> currentInstanceId) {

    public AllocationRequest {
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(currentInstanceId, "currentInstanceId");
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "attributes"));
        if (registrationId.isBlank()) {
            throw new IllegalArgumentException("registrationId must not be blank");
        }
    }

    /** A first-time request for a device with no tenant, region or attributes. */
    public static AllocationRequest of(String registrationId) {
        return builder(registrationId).build();
    }

    public static Builder builder(String registrationId) {
        return new Builder(registrationId);
    }

    /** Builds {@link AllocationRequest}s; every field but the registration id is optional. */
    public static final class Builder {
        private final String registrationId;
        private String tenant;
        private String region;
        private Map<String, String> attributes = Map.of();
        private boolean reprovision;
        private String currentInstanceId;

        private Builder(String registrationId) {
            this.registrationId = Objects.requireNonNull(registrationId, "registrationId");
        }

        public Builder tenant(String tenant) {
            this.tenant = tenant;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder attributes(Map<String, String> attributes) {
            this.attributes = Objects.requireNonNull(attributes, "attributes");
            return this;
        }

        /** Marks the request as a reprovision of a device currently on {@code currentInstanceId}. */
        public Builder reprovisionFrom(String currentInstanceId) {
            this.reprovision = true;
            this.currentInstanceId = Objects.requireNonNull(currentInstanceId, "currentInstanceId");
            return this;
        }

        public AllocationRequest build() {
            return new AllocationRequest(registrationId, Optional.ofNullable(tenant), Optional.ofNullable(region),
                    attributes, reprovision, Optional.ofNullable(currentInstanceId));
        }
    }
}
