package io.multiscope.core;

/** Where a device's assignment stands. */
public enum AssignmentState {
    /** An instance was chosen; the device registers with it itself (pattern 1). */
    ASSIGNED,
    /** The device is registered on its instance and its IoT hub is known (pattern 2, or reported back). */
    REGISTERED,
    /** The device should provision again at its next opportunity (a transfer or rebalance moved its target). */
    REPROVISION_PENDING
}
