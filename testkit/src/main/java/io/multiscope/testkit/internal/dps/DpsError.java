package io.multiscope.testkit.internal.dps;

import java.util.OptionalInt;

/**
 * A request the emulator answers with a DPS error body {@code {errorCode, trackingId, message, timestampUtc}}.
 *
 * <p>Error codes follow DPS's pattern of HTTP status × 1000 + a number. The numbers are this emulator's own: DPS
 * documents only the status part, so tests should assert on the status and treat the code as informative.
 */
public final class DpsError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Malformed JSON or a body that is not the expected shape. */
    public static final int BAD_JSON = 400001;
    /** A missing or unsupported {@code api-version}. */
    public static final int BAD_API_VERSION = 400002;
    /** A field breaks a rule (registration id rules, unknown allocation policy, ...). */
    public static final int INVALID_ARGUMENT = 400004;
    public static final int UNAUTHORIZED = 401002;
    public static final int INSTANCE_NOT_FOUND = 404001;
    public static final int RESOURCE_NOT_FOUND = 404201;
    public static final int OPERATION_NOT_FOUND = 404202;
    public static final int METHOD_NOT_ALLOWED = 405001;
    public static final int CONFLICT = 409201;
    public static final int PRECONDITION_FAILED = 412002;
    public static final int TOO_LARGE = 413001;
    public static final int THROTTLED = 429001;

    private final int status;
    private final int errorCode;
    private final Integer retryAfterSeconds;

    private DpsError(int status, int errorCode, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.errorCode = errorCode;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static DpsError of(int status, int errorCode, String message) {
        return new DpsError(status, errorCode, message, null);
    }

    /** An error carrying a {@code Retry-After} header of whole seconds (DPS and the Java SDK use integers only). */
    public static DpsError withRetryAfter(int status, int errorCode, String message, int retryAfterSeconds) {
        return new DpsError(status, errorCode, message, Math.max(1, retryAfterSeconds));
    }

    public static DpsError badRequest(String message) {
        return of(400, INVALID_ARGUMENT, message);
    }

    public static DpsError badJson(String message) {
        return of(400, BAD_JSON, message);
    }

    public static DpsError unauthorized(String message) {
        return of(401, UNAUTHORIZED, message);
    }

    public static DpsError notFound(String message) {
        return of(404, RESOURCE_NOT_FOUND, message);
    }

    public static DpsError preconditionFailed(String message) {
        return of(412, PRECONDITION_FAILED, message);
    }

    public static DpsError throttled(int retryAfterSeconds) {
        return withRetryAfter(429, THROTTLED, "Operations are being throttled for this tenant.", retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public int errorCode() {
        return errorCode;
    }

    public OptionalInt retryAfterSeconds() {
        return retryAfterSeconds == null ? OptionalInt.empty() : OptionalInt.of(retryAfterSeconds);
    }
}
