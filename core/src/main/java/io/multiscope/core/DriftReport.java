package io.multiscope.core;

import java.util.List;
import java.util.Objects;

/**
 * The proxy's inventory compared with what each DPS instance says (the article's monitoring pattern): per instance,
 * the registrations DPS holds in the proxy's enrollment group and the devices the inventory places there.
 *
 * @param instances one entry per instance that was checked
 * @param unchecked ids of instances that could not be checked (no service connection configured), with no drift
 *     claimed either way
 */
public record DriftReport(List<InstanceDrift> instances, List<String> unchecked) {

    /** Listed ids per category are capped at this many; the counts are always complete. */
    public static final int MAX_LISTED = 1000;

    public DriftReport {
        instances = List.copyOf(Objects.requireNonNull(instances, "instances"));
        unchecked = List.copyOf(Objects.requireNonNull(unchecked, "unchecked"));
    }

    /** Whether any checked instance disagrees with the inventory. */
    public boolean hasDrift() {
        return instances.stream().anyMatch(InstanceDrift::hasDrift);
    }

    /**
     * One instance.
     *
     * @param dpsRegistrations registrations DPS holds in the proxy's group
     * @param inventoryRegistered devices the inventory records as registered on this instance
     * @param unknownToInventory registered on DPS but not placed on this instance by the inventory (a registration
     *     made outside the proxy, or a device deprovisioned only in the inventory); sorted, capped
     * @param missingOnDps registered on this instance according to the inventory but unknown to DPS (deleted on DPS
     *     directly); sorted, capped
     */
    public record InstanceDrift(String instanceId, String enrollmentGroupId, long dpsRegistrations,
            long inventoryRegistered, long unknownToInventoryCount, List<String> unknownToInventory,
            long missingOnDpsCount, List<String> missingOnDps) {

        public InstanceDrift {
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(enrollmentGroupId, "enrollmentGroupId");
            unknownToInventory = List.copyOf(unknownToInventory);
            missingOnDps = List.copyOf(missingOnDps);
        }

        public boolean hasDrift() {
            return unknownToInventoryCount > 0 || missingOnDpsCount > 0;
        }
    }
}
