package io.multiscope.core;

import io.multiscope.spi.InstanceState;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One DPS instance (one ID scope) Multiscope may place devices on, with its limits. Immutable; build with
 * {@link #builder(String)}.
 */
public final class DpsInstance {

    /** The public DPS device endpoint. */
    public static final String DEFAULT_GLOBAL_ENDPOINT = "global.azure-devices-provisioning.net";
    /** DPS's documented limit of registrations per instance. */
    public static final long DEFAULT_CAPACITY = 1_000_000;
    /** DPS's documented limit of device registrations per minute per instance. */
    public static final int DEFAULT_REGISTRATIONS_PER_MINUTE = 1_000;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** A host name or bracketed IPv6 literal, optionally with {@code :port}: what device-client accepts. */
    private static final Pattern ENDPOINT = Pattern.compile(
            "([A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*|\\[[0-9A-Fa-f:.]+\\])(:\\d{1,5})?");

    private final String id;
    private final String idScope;
    private final String globalEndpoint;
    private final String region;
    private final String tenantPool;
    private final Set<String> tags;
    private final int weight;
    private final InstanceState state;
    private final long capacity;
    private final int registrationsPerMinute;

    private DpsInstance(Builder b) {
        this.id = b.id;
        this.idScope = b.idScope;
        this.globalEndpoint = b.globalEndpoint;
        this.region = b.region;
        this.tenantPool = b.tenantPool;
        this.tags = Set.copyOf(b.tags);
        this.weight = b.weight;
        this.state = b.state;
        this.capacity = b.capacity;
        this.registrationsPerMinute = b.registrationsPerMinute;
    }

    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** A builder holding this instance's values, to change some of them. */
    public Builder toBuilder() {
        Builder b = new Builder(id);
        b.idScope = idScope;
        b.globalEndpoint = globalEndpoint;
        b.region = region;
        b.tenantPool = tenantPool;
        b.tags = tags;
        b.weight = weight;
        b.state = state;
        b.capacity = capacity;
        b.registrationsPerMinute = registrationsPerMinute;
        return b;
    }

    public DpsInstance withState(InstanceState newState) {
        return toBuilder().state(newState).build();
    }

    public String id() {
        return id;
    }

    public String idScope() {
        return idScope;
    }

    public String globalEndpoint() {
        return globalEndpoint;
    }

    public String region() {
        return region;
    }

    public Optional<String> tenantPool() {
        return Optional.ofNullable(tenantPool);
    }

    public Set<String> tags() {
        return tags;
    }

    public int weight() {
        return weight;
    }

    public InstanceState state() {
        return state;
    }

    public long capacity() {
        return capacity;
    }

    public int registrationsPerMinute() {
        return registrationsPerMinute;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DpsInstance other)) {
            return false;
        }
        return weight == other.weight && capacity == other.capacity
                && registrationsPerMinute == other.registrationsPerMinute && id.equals(other.id)
                && idScope.equals(other.idScope) && globalEndpoint.equals(other.globalEndpoint)
                && region.equals(other.region) && Objects.equals(tenantPool, other.tenantPool)
                && tags.equals(other.tags) && state == other.state;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, idScope, globalEndpoint, region, tenantPool, tags, weight, state, capacity,
                registrationsPerMinute);
    }

    @Override
    public String toString() {
        return "DpsInstance[" + id + ", idScope=" + idScope + ", region=" + region + ", state=" + state
                + ", capacity=" + capacity + "]";
    }

    /** Builds a validated {@link DpsInstance}; id scope and region are required. */
    public static final class Builder {
        private final String id;
        private String idScope;
        private String globalEndpoint = DEFAULT_GLOBAL_ENDPOINT;
        private String region;
        private String tenantPool;
        private Set<String> tags = Set.of();
        private int weight = 1;
        private InstanceState state = InstanceState.ACTIVE;
        private long capacity = DEFAULT_CAPACITY;
        private int registrationsPerMinute = DEFAULT_REGISTRATIONS_PER_MINUTE;

        private Builder(String id) {
            this.id = Objects.requireNonNull(id, "id");
        }

        /** The DPS ID scope, e.g. {@code 0ne0001A1B2}. */
        public Builder idScope(String idScope) {
            this.idScope = idScope;
            return this;
        }

        /** The device endpoint; {@value #DEFAULT_GLOBAL_ENDPOINT} unless testing against an emulator. */
        public Builder globalEndpoint(String globalEndpoint) {
            this.globalEndpoint = globalEndpoint;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** Reserves the instance for the devices of one tenant pool. */
        public Builder tenantPool(String tenantPool) {
            this.tenantPool = tenantPool;
            return this;
        }

        public Builder tags(Set<String> tags) {
            this.tags = Objects.requireNonNull(tags, "tags");
            return this;
        }

        public Builder weight(int weight) {
            this.weight = weight;
            return this;
        }

        public Builder state(InstanceState state) {
            this.state = Objects.requireNonNull(state, "state");
            return this;
        }

        /** Design limit of registrations; default {@value #DEFAULT_CAPACITY}. */
        public Builder capacity(long capacity) {
            this.capacity = capacity;
            return this;
        }

        /** Registration quota per minute; default {@value #DEFAULT_REGISTRATIONS_PER_MINUTE}. */
        public Builder registrationsPerMinute(int registrationsPerMinute) {
            this.registrationsPerMinute = registrationsPerMinute;
            return this;
        }

        /** @throws IllegalArgumentException naming the instance and the bad setting */
        public DpsInstance build() {
            if (!ID.matcher(id).matches()) {
                throw invalid("id must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a "
                        + "letter or digit");
            }
            if (idScope == null || idScope.isBlank()) {
                throw invalid("idScope is required");
            }
            if (region == null || region.isBlank()) {
                throw invalid("region is required");
            }
            if (globalEndpoint == null || !ENDPOINT.matcher(globalEndpoint).matches()) {
                throw invalid("globalEndpoint must be a host name or host:port without a scheme or path (devices "
                        + "refuse anything else in a redirect or a bundle), was '" + globalEndpoint + "'");
            }
            if (tenantPool != null && tenantPool.isBlank()) {
                throw invalid("tenantPool must not be blank when set");
            }
            if (weight <= 0) {
                throw invalid("weight must be > 0, was " + weight);
            }
            if (capacity <= 0) {
                throw invalid("capacity must be > 0, was " + capacity);
            }
            if (registrationsPerMinute <= 0) {
                throw invalid("registrationsPerMinute must be > 0, was " + registrationsPerMinute);
            }
            return new DpsInstance(this);
        }

        private IllegalArgumentException invalid(String why) {
            return new IllegalArgumentException("DPS instance '" + id + "': " + why);
        }
    }
}
