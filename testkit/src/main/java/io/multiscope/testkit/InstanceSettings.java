package io.multiscope.testkit;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The immutable configuration of one emulated DPS instance: its name, ID scope, service host name and credentials,
 * linked hubs, default allocation policy and quotas. Built through {@link DpsEmulator.Builder#instance}.
 */
public final class InstanceSettings {

    /** The shared access policy real DPS instances are created with. */
    public static final String DEFAULT_POLICY_NAME = "provisioningserviceowner";

    private final String name;
    private final String idScope;
    private final String serviceHostName;
    private final List<LinkedHub> linkedHubs;
    private final AllocationPolicy allocationPolicy;
    private final int registrationsPerMinute;
    private final int operationsPerMinute;
    private final int pollsPerDevicePer10Seconds;
    private final String policyName;
    private final String policyKey;

    private InstanceSettings(Builder b) {
        this.name = b.name;
        this.idScope = b.idScope != null ? b.idScope : defaultIdScope(b.name);
        this.serviceHostName = (b.serviceHostName != null ? b.serviceHostName
                : b.name + ".azure-devices-provisioning.net").toLowerCase(Locale.ROOT);
        this.linkedHubs = b.linkedHubs.isEmpty() ? List.of(LinkedHub.of(b.name + "-hub.azure-devices.net"))
                : List.copyOf(b.linkedHubs);
        this.allocationPolicy = b.allocationPolicy;
        this.registrationsPerMinute = b.registrationsPerMinute;
        this.operationsPerMinute = b.operationsPerMinute;
        this.pollsPerDevicePer10Seconds = b.pollsPerDevicePer10Seconds;
        this.policyName = b.policyName;
        this.policyKey = b.policyKey != null ? b.policyKey : randomKey();
    }

    /** The instance's name, e.g. {@code dps-eu-1}; also the first label of its default service host name. */
    public String name() {
        return name;
    }

    public String idScope() {
        return idScope;
    }

    /** The host name the service API answers to, e.g. {@code dps-eu-1.azure-devices-provisioning.net}. */
    public String serviceHostName() {
        return serviceHostName;
    }

    public List<LinkedHub> linkedHubs() {
        return linkedHubs;
    }

    /** The policy for enrollments that name none. */
    public AllocationPolicy allocationPolicy() {
        return allocationPolicy;
    }

    public int registrationsPerMinute() {
        return registrationsPerMinute;
    }

    public int operationsPerMinute() {
        return operationsPerMinute;
    }

    public int pollsPerDevicePer10Seconds() {
        return pollsPerDevicePer10Seconds;
    }

    /** The shared access policy name the service API accepts. */
    public String policyName() {
        return policyName;
    }

    /** The shared access policy key the service API accepts (base64). */
    public String policyKey() {
        return policyKey;
    }

    /** The linked hub named {@code hostName}, ignoring case. */
    public Optional<LinkedHub> linkedHub(String hostName) {
        return linkedHubs.stream().filter(h -> h.hostName().equalsIgnoreCase(hostName)).findFirst();
    }

    private static String defaultIdScope(String name) {
        // Deterministic, so a test or a launcher run prints the same scope every time for the same name.
        int hash = name.hashCode();
        return String.format(Locale.ROOT, "0ne%08X", hash);
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @Override
    public String toString() {
        return "InstanceSettings[" + name + ", idScope=" + idScope + ", service=" + serviceHostName + ", hubs="
                + linkedHubs + "]";
    }

    /** Builds {@link InstanceSettings}; every setting has a DPS-like default. */
    public static final class Builder {

        private final String name;
        private String idScope;
        private String serviceHostName;
        private final List<LinkedHub> linkedHubs = new ArrayList<>();
        private AllocationPolicy allocationPolicy = AllocationPolicy.HASHED;
        private int registrationsPerMinute = 1000;
        private int operationsPerMinute = 1000;
        private int pollsPerDevicePer10Seconds = 5;
        private String policyName = DEFAULT_POLICY_NAME;
        private String policyKey;

        Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9-]{0,62}")) {
                throw new IllegalArgumentException("instance name '" + name
                        + "' must be a DNS label: letters, digits and '-', at most 63 characters");
            }
            this.name = name;
        }

        /** The ID scope devices use, e.g. {@code 0ne0001A1B2}. Default: derived from the name. */
        public Builder idScope(String idScope) {
            Objects.requireNonNull(idScope, "idScope");
            if (!idScope.matches("[A-Za-z0-9]{1,64}")) {
                throw new IllegalArgumentException("ID scope '" + idScope + "' must be letters and digits");
            }
            this.idScope = idScope;
            return this;
        }

        /** The service API host name. Default: {@code {name}.azure-devices-provisioning.net}. */
        public Builder serviceHostName(String hostName) {
            Objects.requireNonNull(hostName, "hostName");
            // The service SDK insists on this shape (ProvisioningConnectionStringBuilder.HOST_NAME_REGEX).
            if (!hostName.matches("[a-zA-Z0-9_\\-.]+")) {
                throw new IllegalArgumentException("service host name '" + hostName
                        + "' is not accepted by the DPS service SDK (letters, digits, '_', '-', '.')");
            }
            this.serviceHostName = hostName;
            return this;
        }

        /**
         * Links an IoT hub. Without any, the instance links one hub named {@code {name}-hub.azure-devices.net}.
         *
         * @param weight 1 to 1000
         * @param applyAllocationPolicy whether hashed allocation may pick the hub
         */
        public Builder linkedHub(String hostName, int weight, boolean applyAllocationPolicy) {
            LinkedHub hub = new LinkedHub(hostName, weight, applyAllocationPolicy);
            if (linkedHubs.stream().anyMatch(h -> h.hostName().equalsIgnoreCase(hostName))) {
                throw new IllegalArgumentException("hub " + hostName + " is linked twice to instance " + name);
            }
            if (linkedHubs.size() == 50) {
                throw new IllegalArgumentException("instance " + name + " already links 50 hubs, the DPS limit");
            }
            linkedHubs.add(hub);
            return this;
        }

        /** Links an IoT hub with weight 1 that takes part in allocation. */
        public Builder linkedHub(String hostName) {
            return linkedHub(hostName, 1, true);
        }

        /** The policy for enrollments that name none: {@code HASHED} (default) or {@code GEO_LATENCY}. */
        public Builder allocationPolicy(AllocationPolicy policy) {
            Objects.requireNonNull(policy, "policy");
            if (policy == AllocationPolicy.STATIC || policy == AllocationPolicy.CUSTOM) {
                throw new IllegalArgumentException("a DPS instance's own allocation policy is hashed or geoLatency; "
                        + policy.wireName() + " is set per enrollment");
            }
            this.allocationPolicy = policy;
            return this;
        }

        /** Register (PUT) requests accepted per sliding minute. Default 1,000, the documented DPS limit. */
        public Builder registrationsPerMinute(int limit) {
            this.registrationsPerMinute = positive("registrationsPerMinute", limit);
            return this;
        }

        /** Service API requests accepted per sliding minute. Default 1,000, the documented DPS limit. */
        public Builder operationsPerMinute(int limit) {
            this.operationsPerMinute = positive("operationsPerMinute", limit);
            return this;
        }

        /** Operation status polls accepted per device per sliding 10 seconds. Default 5, the documented DPS limit. */
        public Builder pollsPerDevicePer10Seconds(int limit) {
            this.pollsPerDevicePer10Seconds = positive("pollsPerDevicePer10Seconds", limit);
            return this;
        }

        /** The service API's shared access policy. Default: {@value #DEFAULT_POLICY_NAME} with a random key. */
        public Builder servicePolicy(String name, String keyBase64) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(keyBase64, "keyBase64");
            try {
                Base64.getDecoder().decode(keyBase64.getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("service policy key is not base64", e);
            }
            this.policyName = name;
            this.policyKey = keyBase64;
            return this;
        }

        private static int positive(String what, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, was " + value);
            }
            return value;
        }

        InstanceSettings build() {
            return new InstanceSettings(this);
        }
    }
}
