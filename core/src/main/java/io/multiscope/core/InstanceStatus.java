package io.multiscope.core;

/**
 * An instance with its load, for admin listings and dashboards.
 *
 * @param assignedCount devices assigned now
 * @param rateHeadroom registrations its admission budget allows right now
 */
public record InstanceStatus(DpsInstance instance, long assignedCount, long rateHeadroom) {

    /** Share of the design capacity in use. */
    public double utilisation() {
        return (double) assignedCount / instance.capacity();
    }
}
