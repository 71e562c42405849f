package io.multiscope.core;

/**
 * Counters since the service started.
 *
 * @param newAssignments devices placed for the first time (or moved by a reprovision)
 * @param stickyHits requests answered with an existing assignment
 * @param cacheHits of those, answered from the cache without reading the store
 * @param deferrals requests told to come back later (rate limits)
 * @param rejections requests no instance could take
 */
public record ProvisioningStats(long newAssignments, long stickyHits, long cacheHits, long deferrals,
        long rejections) {
}
