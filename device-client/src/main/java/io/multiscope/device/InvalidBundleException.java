package io.multiscope.device;

import java.util.Objects;

/**
 * A provisioning bundle handed to {@link DeviceProvisioner#applyBundle} was refused. Nothing was changed: the stored
 * state is what it was before the call. The message says what was wrong; it never contains a key.
 */
public final class InvalidBundleException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a bundle was refused. */
    public enum Reason {
        /** Not a JSON object, or a field is missing, of the wrong type, blank or malformed. */
        MALFORMED,
        /** A {@code bundleVersion} other than 1. */
        UNSUPPORTED_VERSION,
        /** The bundle is for another registration id. */
        WRONG_DEVICE,
        /**
         * An {@code alg} this library does not know, or one this device cannot verify: HMAC without a symmetric key
         * (an X.509 device), a public-key algorithm without a matching {@code bundleVerificationKey}.
         */
        UNSUPPORTED_ALGORITHM,
        /** The signature does not match the signed fields: the bundle was altered, or signed with another key. */
        BAD_SIGNATURE,
        /** {@code expiresAt} lies further in the past, by the device's clock, than the configured tolerance. */
        EXPIRED,
        /** Issued before the bundle already in force on this device (an old bundle played back). */
        SUPERSEDED
    }

    private final Reason reason;
    private final String registrationId;

    /**
     * @param registrationId the device that refused the bundle
     */
    public InvalidBundleException(Reason reason, String registrationId, String message) {
        super("device '" + Objects.requireNonNull(registrationId, "registrationId") + "' refused the provisioning "
                + "bundle (" + Objects.requireNonNull(reason, "reason") + "): " + Objects.requireNonNull(message,
                "message"));
        this.reason = reason;
        this.registrationId = registrationId;
    }

    public Reason reason() {
        return reason;
    }

    /** The registration id of the device that refused the bundle. */
    public String registrationId() {
        return registrationId;
    }
}
