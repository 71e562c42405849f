package io.multiscope.spi;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A strategy's view of one DPS instance at the moment of the decision.
 *
 * @param id the instance id (unique within a deployment)
 * @param region the Azure region the instance lives in
 * @param tenantPool the tenant pool the instance serves, if it is reserved for one
 * @param tags free-form labels
 * @param weight relative share for weighted strategies; {@code > 0}
 * @param state whether the instance takes new devices
 * @param capacity the design limit of registrations (DPS: about 1,000,000)
 * @param assignedCount how many devices are assigned to it now
 * @param rateHeadroom how many registrations its admission budget allows right now
 */
public record Candidate(
        String id,
        String region,
        Optional<String> tenantPool,
        Set<String> tags,
        int weight,
        InstanceState state,
        long capacity,
        long assignedCount,
        long rateHeadroom) {

    public Candidate {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(tenantPool, "tenantPool");
        Objects.requireNonNull(state, "state");
        tags = Set.copyOf(Objects.requireNonNull(tags, "tags"));
        if (weight <= 0) {
            throw new IllegalArgumentException("weight of candidate " + id + " must be > 0, was " + weight);
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity of candidate " + id + " must be > 0, was " + capacity);
        }
        if (assignedCount < 0 || rateHeadroom < 0) {
            throw new IllegalArgumentException("counts of candidate " + id + " must not be negative");
        }
    }

    /** Share of the design capacity in use, from 0.0 upwards (may exceed 1.0 if capacity was lowered). */
    public double utilisation() {
        return (double) assignedCount / capacity;
    }

    /** Whether at least one more device fits under the design capacity. */
    public boolean hasCapacity() {
        return assignedCount < capacity;
    }

    /**
     * Why this candidate cannot take a new device, or empty if it can. Every built-in strategy applies this check
     * first, so a custom strategy that wants the same rules can call it too.
     */
    public Optional<String> ineligibility() {
        if (state != InstanceState.ACTIVE) {
            return Optional.of(state == InstanceState.DRAINING ? "draining" : "disabled");
        }
        if (!hasCapacity()) {
            return Optional.of("at capacity (" + assignedCount + "/" + capacity + ")");
        }
        return Optional.empty();
    }
}
