package io.multiscope.device;

/**
 * Hears what {@link DeviceProvisioner} does: waits, attempts, failures and their classification, circuit breaker
 * changes, state file problems. For metrics, diagnostics and progress displays. Called on the provisioning thread;
 * it must return quickly and must not call back into the provisioner. What it throws is logged and ignored.
 */
@FunctionalInterface
public interface ProvisioningListener {

    /** Ignores everything. */
    ProvisioningListener NONE = event -> { };

    void onEvent(ProvisioningEvent event);
}
