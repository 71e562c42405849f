package io.multiscope.store.cosmos;

/**
 * Told what each store operation cost: how many Cosmos DB requests it made and the request units they were charged,
 * as the SDK reports them. Called on the caller's thread after every public store operation, also failed ones; keep
 * it fast (e.g. record into a metrics registry).
 */
@FunctionalInterface
public interface RequestChargeListener {

    /**
     * @param operation the store method, e.g. {@code "assign"}, {@code "findAssignment"}
     * @param requests Cosmos DB requests made, retries included
     * @param requestUnits their total request charge
     */
    void charged(String operation, int requests, double requestUnits);
}
