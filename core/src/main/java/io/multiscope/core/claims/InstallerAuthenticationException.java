package io.multiscope.core.claims;

import io.multiscope.core.MultiscopeException;
import java.util.Objects;

/**
 * An installer's bearer token was missing or not good enough. {@link #problemType()} names the rule that failed in a
 * stable form the HTTP API publishes as the problem {@code type} (with status 401). The message says what was wrong
 * but never repeats the token or a key.
 *
 * <p>Custom {@link InstallerTokenVerifier}s throw it too, with one of the constants below or a type of their own
 * (lower-case words joined by {@code -}).
 */
public class InstallerAuthenticationException extends MultiscopeException {

    private static final long serialVersionUID = 1L;

    /** No bearer token was presented. */
    public static final String AUTHENTICATION_REQUIRED = "authentication-required";
    /** The token is not a well-formed compact JWT, or a claim has the wrong type. */
    public static final String INVALID_TOKEN = "invalid-token";
    /** The token's header names an algorithm other than the one accepted ({@code none} included). */
    public static final String UNSUPPORTED_ALGORITHM = "unsupported-token-algorithm";
    /** The signature does not verify with any configured key. */
    public static final String INVALID_SIGNATURE = "invalid-signature";
    /** The token's {@code exp} has passed (beyond the allowed clock skew). */
    public static final String TOKEN_EXPIRED = "token-expired";
    /** The token's {@code nbf} (or {@code iat}) lies in the future (beyond the allowed clock skew). */
    public static final String TOKEN_NOT_YET_VALID = "token-not-yet-valid";
    /** The token is valid for longer than allowed. */
    public static final String TOKEN_LIFETIME_TOO_LONG = "token-lifetime-too-long";
    /** A required claim ({@code sub}, the tenant claim, {@code exp}) is missing or empty. */
    public static final String MISSING_CLAIM = "missing-token-claim";
    /** The token's {@code iss} is not the configured issuer. */
    public static final String WRONG_ISSUER = "wrong-token-issuer";
    /** The token's {@code aud} does not name the configured audience. */
    public static final String WRONG_AUDIENCE = "wrong-token-audience";

    private final String problemType;

    /**
     * @param problemType a short stable identifier of the failed rule, e.g. {@link #TOKEN_EXPIRED}
     * @param message what was wrong; no token, no key
     */
    public InstallerAuthenticationException(String problemType, String message) {
        this(problemType, message, null);
    }

    public InstallerAuthenticationException(String problemType, String message, Throwable cause) {
        super(message, null, null, cause);
        this.problemType = Objects.requireNonNull(problemType, "problemType");
    }

    public String problemType() {
        return problemType;
    }
}
