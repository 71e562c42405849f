package io.multiscope.core.store;

import io.multiscope.core.MultiscopeException;

/** No DPS instance is registered under that id. */
public class UnknownInstanceException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    public UnknownInstanceException(String instanceId) {
        super("No DPS instance with id '" + instanceId + "' is registered", null, instanceId, null);
    }
}
