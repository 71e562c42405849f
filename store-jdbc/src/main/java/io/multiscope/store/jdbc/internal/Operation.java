package io.multiscope.store.jdbc.internal;

/**
 * What a store call is doing, so that a failure can name it, the device and the instance.
 *
 * @param action a verb phrase such as {@code "assign"}
 * @param registrationId the device, or null
 * @param instanceId the DPS instance, or null
 */
public record Operation(String action, String registrationId, String instanceId) {

    public static Operation onDevice(String action, String registrationId) {
        return new Operation(action, registrationId, null);
    }

    public static Operation onInstance(String action, String instanceId) {
        return new Operation(action, null, instanceId);
    }

    /** E.g. {@code assign of device 'dev-1' on instance 'dps-a'}. */
    public String describe() {
        StringBuilder s = new StringBuilder(action);
        if (registrationId != null) {
            s.append(" of device '").append(registrationId).append('\'');
        }
        if (instanceId != null) {
            s.append(registrationId != null ? " on" : " of").append(" instance '").append(instanceId).append('\'');
        }
        return s.toString();
    }
}
