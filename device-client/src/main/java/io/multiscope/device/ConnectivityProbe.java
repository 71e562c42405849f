package io.multiscope.device;

/**
 * Tells {@link DeviceProvisioner} whether the device is online. While it answers {@code false} no provisioning
 * attempt is made: attempts that cannot succeed would only use up the retry budget and trip the circuit breaker.
 * The probe should be cheap and must not block for long (a link-state flag, not a network round trip).
 */
@FunctionalInterface
public interface ConnectivityProbe {

    /** Assumes the device is always online: every attempt goes to the network. The default. */
    ConnectivityProbe ALWAYS_ONLINE = () -> true;

    /** Whether the device currently has a network connection worth trying. */
    boolean isOnline();
}
