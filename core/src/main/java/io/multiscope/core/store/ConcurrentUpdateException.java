package io.multiscope.core.store;

import io.multiscope.core.MultiscopeException;

/** A conditional write found another version than expected: someone else changed the record first. */
public class ConcurrentUpdateException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    public ConcurrentUpdateException(String registrationId, long expectedVersion, long actualVersion) {
        super("Assignment of '" + registrationId + "' is at version " + actualVersion + ", not the expected "
                + expectedVersion + "; read it again and retry", registrationId, null, null);
    }

    public ConcurrentUpdateException(String registrationId, long expectedVersion) {
        super("Assignment of '" + registrationId + "' changed since version " + expectedVersion
                + "; read it again and retry", registrationId, null, null);
    }

    private ConcurrentUpdateException(String message, String registrationId) {
        super(message, registrationId, null, null);
    }

    /** The device's ownership record is at another version than expected. */
    public static ConcurrentUpdateException ofOwnership(String registrationId, long expectedVersion) {
        return new ConcurrentUpdateException("Ownership of '" + registrationId + "' changed since version "
                + expectedVersion + "; read it again and retry", registrationId);
    }
}
