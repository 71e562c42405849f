package io.multiscope.device;

/** How a failed provisioning attempt is treated. */
public enum FailureKind {
    /** The service asked the device to come back later (HTTP 429): wait for its Retry-After, or back off. */
    THROTTLED,
    /**
     * Worth retrying after a backoff: a 5xx answer, a network or TLS transport error, a timeout, an unreadable
     * answer.
     */
    TRANSIENT,
    /**
     * The service does not know or accept the device as it stands (401, 403, 404): forget what this run learnt and
     * register from scratch, once; a second time is permanent.
     */
    REREGISTER,
    /** Retrying cannot help until something changes (another 4xx, an untrusted server certificate, bad settings). */
    PERMANENT,
    /**
     * A DPS instance assigned the device with a redirect in its payload that the device will not follow: an invalid
     * redirect (unknown version, a missing or blank field, not an object), a loop (an endpoint and ID scope already
     * visited in this chain), or one hop more than {@code maxRedirects}. It is the service's configuration, so the run
     * stops (as with {@link #PERMANENT}, counted by the circuit breaker) and the stored result stays in force.
     */
    REDIRECT_REFUSED
}
