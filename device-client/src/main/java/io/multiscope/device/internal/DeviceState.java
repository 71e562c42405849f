package io.multiscope.device.internal;

import io.multiscope.device.ProvisioningResult;

/**
 * Everything that survives a reboot: for which configuration, the result (if provisioned), the circuit, and the
 * provisioning bundle in force (if one was applied).
 */
final class DeviceState {

    /** Which endpoint and device the state belongs to; a different one makes the stored result stale. */
    final String configuration;
    /** A provisioned result, or null. */
    final ProvisioningResult result;
    final CircuitState circuit;
    /** The bundle whose DPS instance the device registers with instead of the configured endpoint, or null. */
    final BundleRecord bundle;

    DeviceState(String configuration, ProvisioningResult result, CircuitState circuit) {
        this(configuration, result, circuit, null);
    }

    DeviceState(String configuration, ProvisioningResult result, CircuitState circuit, BundleRecord bundle) {
        this.configuration = configuration;
        this.result = result;
        this.circuit = circuit;
        this.bundle = bundle;
    }

    static DeviceState empty(String configuration) {
        return new DeviceState(configuration, null, CircuitState.CLOSED);
    }

    DeviceState withResult(ProvisioningResult newResult) {
        return new DeviceState(configuration, newResult, circuit, bundle);
    }

    DeviceState withCircuit(CircuitState newCircuit) {
        return new DeviceState(configuration, result, newCircuit, bundle);
    }
}
