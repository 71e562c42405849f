package io.multiscope.testkit;

/**
 * What DPS does when an already assigned device registers again, as the enrollment's
 * {@code reprovisionPolicy {updateHubAssignment, migrateDeviceData}} says.
 */
public enum ReprovisionPolicy {
    /** Allocate again; if the hub changes, the device's twin moves with it. The DPS default. */
    REPROVISION_AND_MIGRATE(true, true),
    /** Allocate again and reset the device's twin to the enrollment's (or webhook's) initial twin. */
    REPROVISION_AND_RESET(true, false),
    /** Keep the device on the hub it already has. */
    NEVER(false, false);

    private final boolean updateHubAssignment;
    private final boolean migrateDeviceData;

    ReprovisionPolicy(boolean updateHubAssignment, boolean migrateDeviceData) {
        this.updateHubAssignment = updateHubAssignment;
        this.migrateDeviceData = migrateDeviceData;
    }

    public boolean updateHubAssignment() {
        return updateHubAssignment;
    }

    public boolean migrateDeviceData() {
        return migrateDeviceData;
    }

    /** The policy the two DPS flags describe; {@code updateHubAssignment=false} is {@link #NEVER} whatever the other. */
    public static ReprovisionPolicy of(boolean updateHubAssignment, boolean migrateDeviceData) {
        if (!updateHubAssignment) {
            return NEVER;
        }
        return migrateDeviceData ? REPROVISION_AND_MIGRATE : REPROVISION_AND_RESET;
    }
}
