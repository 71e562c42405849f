package io.multiscope.core;

/**
 * Counters of a {@link ProxyProvisioningService} since it started.
 *
 * @param registered devices registered with DPS
 * @param answeredFromInventory requests of already-registered devices, answered without DPS
 * @param cacheHits look-ups answered from the hub cache without reading the store
 * @param queued requests that waited in the queue for a DPS budget
 * @param deferred requests told to come back later (429)
 * @param deferredQueueFull of those, deferred at once because the queue was full
 * @param dpsCalls registration calls made to DPS, retries included
 * @param throttled of those, answered 429 by DPS
 * @param failed registrations that failed (retries exhausted, open circuit, or refused by DPS)
 * @param sdkNanos time spent inside the Azure device SDK's registration calls
 * @param endToEndNanos time from accepting a request to completing it, for requests that went to DPS
 */
public record ProxyStats(long registered, long answeredFromInventory, long cacheHits, long queued, long deferred,
        long deferredQueueFull, long dpsCalls, long throttled, long failed, long sdkNanos, long endToEndNanos) {

    /** Share of the end-to-end time of DPS-bound requests spent in the SDK call (0 if none). */
    public double sdkShare() {
        return endToEndNanos == 0 ? 0.0 : Math.min(1.0, (double) sdkNanos / endToEndNanos);
    }
}
