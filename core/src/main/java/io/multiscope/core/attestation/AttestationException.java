package io.multiscope.core.attestation;

import io.multiscope.core.MultiscopeException;
import java.util.Objects;

/**
 * A device's credential was missing or not good enough. {@link #problemType()} says which rule failed, in a stable
 * form the HTTP API publishes as the problem {@code type}; the message names the device and says what was wrong, but
 * never repeats a secret (no token signature, no key).
 */
public class AttestationException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    /** No credential the attestation accepts was presented. */
    public static final String AUTHENTICATION_REQUIRED = "authentication-required";
    /** The {@code Authorization} header is not a well-formed SAS token. */
    public static final String INVALID_TOKEN = "invalid-token";
    /** The SAS token's expiry has passed (beyond the allowed clock skew). */
    public static final String TOKEN_EXPIRED = "token-expired";
    /** The SAS token is valid for longer than allowed. */
    public static final String TOKEN_LIFETIME_TOO_LONG = "token-lifetime-too-long";
    /** The credential is for another device (token resource or certificate common name). */
    public static final String WRONG_DEVICE = "wrong-device";
    /** The SAS token is not signed with a key enrolled for the device (forged, wrong key, or not enrolled). */
    public static final String INVALID_SIGNATURE = "invalid-signature";
    /** The certificate chain does not lead to a trusted CA, or the leaf is not a device certificate. */
    public static final String UNTRUSTED_CERTIFICATE = "untrusted-certificate";
    /** A certificate of the chain has expired. */
    public static final String CERTIFICATE_EXPIRED = "certificate-expired";
    /** A certificate of the chain is not valid yet. */
    public static final String CERTIFICATE_NOT_YET_VALID = "certificate-not-yet-valid";

    private final String problemType;

    /**
     * @param problemType a short stable identifier of the failed rule, e.g. {@link #TOKEN_EXPIRED}
     * @param message what was wrong, naming the device; no secrets
     * @param registrationId the device, as it named itself
     */
    public AttestationException(String problemType, String message, String registrationId) {
        super(message, registrationId, null, null);
        this.problemType = Objects.requireNonNull(problemType, "problemType");
    }

    public String problemType() {
        return problemType;
    }
}
