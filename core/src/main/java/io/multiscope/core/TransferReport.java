package io.multiscope.core;

import java.util.List;
import java.util.Objects;

/**
 * The per-device outcome of a bulk transfer ({@link RedirectProvisioning#transferAll}), in the order the devices
 * were given (duplicates once).
 *
 * @param newOwner the owner the devices were transferred to
 * @param results one entry per device
 */
public record TransferReport(String newOwner, List<TransferResult> results) {

    public TransferReport {
        Objects.requireNonNull(newOwner, "newOwner");
        results = List.copyOf(Objects.requireNonNull(results, "results"));
    }

    /** How many devices ended with {@code status}. */
    public long count(TransferResult.Status status) {
        return results.stream().filter(r -> r.status() == status).count();
    }

    /** The devices transferred whose old registration still has to be deleted. */
    public List<TransferResult> cleanupsPending() {
        return results.stream().filter(TransferResult::isCleanupPending).toList();
    }
}
