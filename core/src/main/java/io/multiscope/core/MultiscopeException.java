package io.multiscope.core;

import java.util.Optional;

/**
 * The root of every exception Multiscope throws. Carries the device and DPS instance it concerns, where known, so a
 * log line or an error response can name them.
 */
public class MultiscopeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String registrationId;
    private final String instanceId;

    public MultiscopeException(String message) {
        this(message, null, null, null);
    }

    public MultiscopeException(String message, Throwable cause) {
        this(message, null, null, cause);
    }

    public MultiscopeException(String message, String registrationId, String instanceId, Throwable cause) {
        super(message, cause);
        this.registrationId = registrationId;
        this.instanceId = instanceId;
    }

    /** The device this concerns, if one. */
    public Optional<String> registrationId() {
        return Optional.ofNullable(registrationId);
    }

    /** The DPS instance this concerns, if one. */
    public Optional<String> instanceId() {
        return Optional.ofNullable(instanceId);
    }
}
