package io.multiscope.core.store;

import io.multiscope.core.MultiscopeException;

/** The device has no assignment. */
public class DeviceNotFoundException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    public DeviceNotFoundException(String registrationId) {
        super("Device '" + registrationId + "' has no assignment", registrationId, null, null);
    }
}
