package io.multiscope.store.cosmos;

/**
 * An instance's count compared with its device documents, from {@link CosmosInventoryStore#audit}.
 *
 * @param counted the sum of the instance's counter shards (what {@code assignedCount} answers)
 * @param documents device documents naming the instance
 * @param inProgress of those, documents an operation is still working on (their count may not have moved yet)
 */
public record CountAudit(String instanceId, long counted, long documents, long inProgress) {

    /**
     * Whether count and documents agree. While operations run they may briefly differ by the operations in
     * progress; a lasting difference with nothing in progress means a count was lost or doubled (see
     * docs/store-cosmos.md, "What holds across regions").
     */
    public boolean consistent() {
        return counted == documents;
    }
}
