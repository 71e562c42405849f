package io.multiscope.store.cosmos;

import io.multiscope.core.store.StoreException;
import java.time.Duration;
import java.util.Optional;

/**
 * A Cosmos DB request failed. Carries the HTTP status and sub-status, and the server's retry-after hint when it sent
 * one (429 request rate too large, 449 retry with, 503 service unavailable).
 */
public class CosmosStoreException extends StoreException {

    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final int subStatusCode;
    private final Duration retryAfter;

    public CosmosStoreException(String message, String registrationId, String instanceId, int statusCode,
            int subStatusCode, Duration retryAfter, boolean transientFailure, Throwable cause) {
        super(message, registrationId, instanceId, transientFailure, cause);
        this.statusCode = statusCode;
        this.subStatusCode = subStatusCode;
        this.retryAfter = retryAfter == null || retryAfter.isZero() || retryAfter.isNegative() ? null : retryAfter;
    }

    /** The HTTP status Cosmos DB answered, or 0 if no answer arrived. */
    public int statusCode() {
        return statusCode;
    }

    public int subStatusCode() {
        return subStatusCode;
    }

    /** How long the server asked the client to wait before trying again, if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
