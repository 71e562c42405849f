package io.multiscope.store.cosmos;

/**
 * What {@link CosmosInventoryStore#reconcile()} did.
 *
 * @param operationsFinished interrupted operations of this writer rolled forward or back
 * @param operationsWaiting interrupted operations left alone because they are younger than the grace period (they
 *     may still be running)
 * @param journalEntriesCleared finished operations removed from this writer's counter shard journals
 * @param grantsRestored instances where this writer's capacity grant was found below its shard's ceiling (a
 *     registry write lost to multi-region conflict resolution) and written again
 */
public record ReconcileReport(int operationsFinished, int operationsWaiting, int journalEntriesCleared,
        int grantsRestored) {
}
