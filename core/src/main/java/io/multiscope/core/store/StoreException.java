package io.multiscope.core.store;

import io.multiscope.core.MultiscopeException;

/** The store's database failed. {@link #isTransient()} says whether retrying the same call may succeed. */
public class StoreException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    public StoreException(String message, String registrationId, String instanceId, boolean transientFailure,
            Throwable cause) {
        super(message, registrationId, instanceId, cause);
        this.transientFailure = transientFailure;
    }

    /** Whether the failure is likely temporary (lost connection, serialization failure, deadlock, throttling). */
    public boolean isTransient() {
        return transientFailure;
    }
}
