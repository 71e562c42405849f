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
    PERMANENT
}
