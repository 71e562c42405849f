package io.multiscope.device.internal;

import io.multiscope.device.ProvisioningResult;

/** Everything that survives a reboot: for which configuration, the result (if provisioned), the circuit. */
final class DeviceState {

    /** Which endpoint and device the state belongs to; a different one makes the stored result stale. */
    final String configuration;
    /** A provisioned result, or null. */
    final ProvisioningResult result;
    final CircuitState circuit;

    DeviceState(String configuration, ProvisioningResult result, CircuitState circuit) {
        this.configuration = configuration;
        this.result = result;
        this.circuit = circuit;
    }

    static DeviceState empty(String configuration) {
        return new DeviceState(configuration, null, CircuitState.CLOSED);
    }

    DeviceState withResult(ProvisioningResult newResult) {
        return new DeviceState(configuration, newResult, circuit);
    }

    DeviceState withCircuit(CircuitState newCircuit) {
        return new DeviceState(configuration, result, newCircuit);
    }
}
