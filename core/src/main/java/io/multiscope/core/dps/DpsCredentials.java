package io.multiscope.core.dps;

import io.multiscope.core.RegistrationIds;
import io.multiscope.core.attestation.SasToken;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * The secrets the proxy (pattern 2) holds for one DPS instance: the symmetric-key enrollment group it registers
 * devices through, and optionally the service connection string it manages that group with. Load them from the
 * application's configuration or secret store; this class never prints them ({@link #toString()} names the instance
 * and the group only).
 *
 * <p>Devices never see these keys: the proxy derives each device's DPS key from the group key
 * ({@link #deviceKey(String)}), exactly as DPS does, at the moment it registers the device.
 */
public final class DpsCredentials {

    private final String instanceId;
    private final String enrollmentGroupId;
    private final String primaryKey;
    private final String secondaryKey;
    private final String serviceConnectionString;

    private DpsCredentials(Builder b) {
        this.instanceId = b.instanceId;
        this.enrollmentGroupId = b.enrollmentGroupId;
        this.primaryKey = b.primaryKey;
        this.secondaryKey = b.secondaryKey;
        this.serviceConnectionString = b.serviceConnectionString;
    }

    /** @param instanceId the {@link io.multiscope.core.DpsInstance#id()} these secrets belong to */
    public static Builder builder(String instanceId) {
        return new Builder(instanceId);
    }

    public String instanceId() {
        return instanceId;
    }

    /** The enrollment group the proxy registers devices through on this instance. */
    public String enrollmentGroupId() {
        return enrollmentGroupId;
    }

    /** The group's primary key (base64). A secret. */
    public String primaryKey() {
        return primaryKey;
    }

    /** The group's secondary key (base64), if configured. A secret. */
    public Optional<String> secondaryKey() {
        return Optional.ofNullable(secondaryKey);
    }

    /** The DPS service connection string, if the proxy manages enrollments on this instance. A secret. */
    public Optional<String> serviceConnectionString() {
        return Optional.ofNullable(serviceConnectionString);
    }

    /** The key DPS expects {@code registrationId} to sign with: derived from the primary group key. */
    public String deviceKey(String registrationId) {
        return SasToken.deriveDeviceKey(primaryKey, registrationId);
    }

    /** Whether {@code primary} and {@code secondary} (either may be null) are this group's keys, in constant time. */
    public boolean hasKeys(String primary, String secondary) {
        boolean same = sameKey(primaryKey, primary);
        same &= secondaryKey == null || sameKey(secondaryKey, secondary);
        return same;
    }

    private static boolean sameKey(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            return MessageDigest.isEqual(Base64.getDecoder().decode(a), Base64.getDecoder().decode(b));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Names the instance and group; never the keys or the connection string. */
    @Override
    public String toString() {
        return "DpsCredentials[instance=" + instanceId + ", enrollmentGroup=" + enrollmentGroupId + ", keys=(hidden)"
                + ", serviceConnection=" + (serviceConnectionString != null ? "(hidden)" : "(none)") + "]";
    }

    /** Builds validated {@link DpsCredentials}; errors name what is wrong but never repeat a secret. */
    public static final class Builder {
        private final String instanceId;
        private String enrollmentGroupId;
        private String primaryKey;
        private String secondaryKey;
        private String serviceConnectionString;

        private Builder(String instanceId) {
            this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        }

        /** The enrollment group id (DPS rules: letters, digits, '-', '.', '_', ':', at most 128 characters). */
        public Builder enrollmentGroup(String groupId) {
            this.enrollmentGroupId = Objects.requireNonNull(groupId, "groupId");
            return this;
        }

        /** The group's primary key (base64, at least 16 bytes). */
        public Builder groupKey(String primaryKeyBase64) {
            this.primaryKey = checkKey(primaryKeyBase64, "primary group key");
            return this;
        }

        /** The group's primary and secondary keys (base64, at least 16 bytes each). */
        public Builder groupKeys(String primaryKeyBase64, String secondaryKeyBase64) {
            this.primaryKey = checkKey(primaryKeyBase64, "primary group key");
            this.secondaryKey = checkKey(secondaryKeyBase64, "secondary group key");
            return this;
        }

        /**
         * {@code HostName=...;SharedAccessKeyName=...;SharedAccessKey=...}, for the enrollment lifecycle (ensure the
         * group, deprovision, drift monitoring). Without it those operations are refused for this instance.
         */
        public Builder serviceConnectionString(String connectionString) {
            Objects.requireNonNull(connectionString, "connectionString");
            if (!connectionString.contains("HostName=") || !connectionString.contains("SharedAccessKey=")) {
                throw new IllegalArgumentException("the service connection string of DPS instance '" + instanceId
                        + "' needs HostName, SharedAccessKeyName and SharedAccessKey");
            }
            this.serviceConnectionString = connectionString;
            return this;
        }

        public DpsCredentials build() {
            if (enrollmentGroupId == null) {
                throw new IllegalStateException("DPS instance '" + instanceId + "': an enrollment group is required");
            }
            String problem = RegistrationIds.problem(enrollmentGroupId);
            if (problem != null) {
                throw new IllegalArgumentException("DPS instance '" + instanceId + "': enrollment group id: "
                        + problem.replace("registration id", "id"));
            }
            if (primaryKey == null) {
                throw new IllegalStateException("DPS instance '" + instanceId + "': a group key is required");
            }
            if (secondaryKey != null && sameKey(primaryKey, secondaryKey)) {
                throw new IllegalArgumentException("DPS instance '" + instanceId
                        + "': the primary and secondary group keys are the same key");
            }
            return new DpsCredentials(this);
        }

        private String checkKey(String keyBase64, String what) {
            Objects.requireNonNull(keyBase64, what);
            byte[] key;
            try {
                key = Base64.getDecoder().decode(keyBase64);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("DPS instance '" + instanceId + "': the " + what
                        + " is not valid base64");
            }
            if (key.length < 16) {
                throw new IllegalArgumentException("DPS instance '" + instanceId + "': the " + what + " is "
                        + key.length + " bytes long; at least 16 are required (DPS generates 64)");
            }
            return keyBase64;
        }
    }
}
