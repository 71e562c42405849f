package io.multiscope.core.ownership;

import io.multiscope.core.MultiscopeException;

/** The device is not in the ownership registry. */
public class OwnershipNotFoundException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    public OwnershipNotFoundException(String registrationId) {
        super("Device '" + registrationId + "' is not in the ownership registry", registrationId, null, null);
    }
}
