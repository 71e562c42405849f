package io.multiscope.core.allocation;

import io.multiscope.spi.AllocationStrategy;

/**
 * The built-in allocation strategies and filters. Compose filters and end with a chooser:
 *
 * <pre>{@code
 * AllocationStrategy s = Allocators.tenantPool().and(Allocators.regionAffinity()).then(Allocators.leastUtilised());
 * }</pre>
 *
 * Every chooser skips instances that are draining, disabled or full, defers when the rest are at their rate limit,
 * and rejects with a reason per instance when nothing is left. All are pure and thread-safe.
 */
public final class Allocators {

    private Allocators() {
    }

    /** The instance with the lowest share of its capacity in use: fills instances evenly. */
    public static AllocationStrategy leastUtilised() {
        return new LeastUtilisedChooser();
    }

    /**
     * Spreads devices in proportion to the instances' weights, stably: a device maps to the same instance as long as
     * the set of instances does not change (weighted rendezvous hashing).
     */
    public static AllocationStrategy weighted() {
        return new RendezvousChooser(true);
    }

    /** Rendezvous hashing: a stable, stateless spread that moves few devices when instances come and go. */
    public static AllocationStrategy rendezvous() {
        return new RendezvousChooser(false);
    }

    /** Data residency: a device with a region goes only to instances in that region. */
    public static CandidateFilter dataResidency() {
        return new RegionFilter(true);
    }

    /** Prefers instances in the device's region, falling back to the others when none there can take it. */
    public static CandidateFilter regionAffinity() {
        return new RegionFilter(false);
    }

    /** Keeps instances reserved for a tenant pool to that tenant's devices. */
    public static CandidateFilter tenantPool() {
        return new TenantPoolFilter();
    }
}
