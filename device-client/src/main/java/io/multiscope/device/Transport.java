package io.multiscope.device;

/** How the Azure device SDK talks to DPS for the registration itself. */
public enum Transport {
    /**
     * HTTPS on the endpoint's port (443 unless the endpoint names another, as emulators do). The default. The SDK
     * uses {@code HttpsURLConnection}, so it follows the JVM-wide proxy settings, not {@link
     * DeviceProvisioner.Builder#proxy}.
     */
    HTTPS,
    /**
     * MQTT over TLS. The SDK always connects to port 8883 of the endpoint's host, so the endpoint must not name a
     * port, and MQTT cannot go through an HTTP proxy.
     */
    MQTT
}
