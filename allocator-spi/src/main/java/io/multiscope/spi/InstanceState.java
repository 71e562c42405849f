package io.multiscope.spi;

/** Whether a DPS instance takes new devices. */
public enum InstanceState {
    /** Takes new devices and serves existing ones. */
    ACTIVE,
    /** Serves its existing devices but takes no new ones; devices may be moved off it at a bounded rate. */
    DRAINING,
    /** Out of service: takes no new devices. */
    DISABLED
}
