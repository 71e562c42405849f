package io.multiscope.core;

import com.github.benmanes.caffeine.cache.Ticker;
import io.multiscope.core.admission.AdmissionControl;
import io.multiscope.core.allocation.Allocators;
import io.multiscope.core.attestation.Attestation;
import io.multiscope.core.store.InMemoryInventoryStore;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.spi.AllocationStrategy;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings every provisioning service shares (store, strategy, attestation, admission control, time, cache); the
 * builders of {@link ZeroTouchProvisioning} and {@link ProxyProvisioningService} add their own.
 *
 * @param <B> the concrete builder, returned by every setter so calls chain
 */
public abstract class ProvisioningServiceBuilder<B extends ProvisioningServiceBuilder<B>> {

    InventoryStore store;
    AllocationStrategy strategy =
            Allocators.tenantPool().and(Allocators.regionAffinity()).then(Allocators.leastUtilised());
    Attestation attestation;
    AdmissionControl admission;
    Clock clock = Clock.systemUTC();
    Ticker ticker = Ticker.systemTicker();
    long cacheSize = 100_000;
    Duration cacheTtl = Duration.ofMinutes(10);
    Duration snapshotInterval = Duration.ofMillis(500);
    final Set<String> tenants = new TreeSet<>();

    ProvisioningServiceBuilder() {
    }

    abstract B self();

    /** Where assignments are kept; an {@link InMemoryInventoryStore} by default. */
    public B store(InventoryStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return self();
    }

    /**
     * How new devices are placed. By default: tenant pools respected, the device's region preferred, then the
     * least-utilised instance.
     */
    public B strategy(AllocationStrategy strategy) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        return self();
    }

    /** How devices prove who they are. Required. */
    public B attestation(Attestation attestation) {
        this.attestation = Objects.requireNonNull(attestation, "attestation");
        return self();
    }

    /** Rate limits per instance; by default a token bucket per instance sized from its quota. */
    public B admission(AdmissionControl admission) {
        this.admission = Objects.requireNonNull(admission, "admission");
        return self();
    }

    /** Wall-clock time for records, the default admission control and everything timed in wall-clock terms. */
    public B clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return self();
    }

    /** Monotonic time for the cache and the fleet snapshot (a {@code VirtualClock} in simulations). */
    public B ticker(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        return self();
    }

    /** Tenants allowed besides those that own a tenant pool; a device naming another tenant is refused. */
    public B tenants(Set<String> knownTenants) {
        this.tenants.addAll(knownTenants);
        return self();
    }

    /**
     * Size and lifetime of the assignment cache. The lifetime bounds how long another node may serve an assignment
     * that was moved or removed elsewhere.
     */
    public B cache(long maximumSize, Duration expireAfterWrite) {
        if (maximumSize < 0 || expireAfterWrite.isNegative()) {
            throw new IllegalArgumentException("cache size and lifetime must not be negative");
        }
        this.cacheSize = maximumSize;
        this.cacheTtl = expireAfterWrite;
        return self();
    }

    /** How old the instance counts used for balancing may be; 500 ms by default. */
    public B snapshotInterval(Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("snapshot interval must not be negative");
        }
        this.snapshotInterval = interval;
        return self();
    }

    /** The admission control to use: the configured one, or a default on this builder's clock. */
    AdmissionControl admissionOrDefault() {
        return admission != null ? admission : AdmissionControl.builder().clock(clock).build();
    }
}
