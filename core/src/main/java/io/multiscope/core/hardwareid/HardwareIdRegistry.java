package io.multiscope.core.hardwareid;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the manufacturers' lists of hardware ids live: the allow list {@link
 * io.multiscope.core.attestation.HardwareIdAttestation} checks devices against. Ids are passed lower-cased and valid
 * (DPS registration id rules). Implementations are thread-safe; {@link InMemoryHardwareIdRegistry} is the one that
 * ships (a database-backed one implements the same few methods).
 */
public interface HardwareIdRegistry {

    /** The outcome of {@link #add}. */
    enum AddOutcome {
        /** The id was new and is now listed. */
        ADDED,
        /** The id was listed with the same credential; nothing changed (imports are idempotent). */
        UNCHANGED,
        /** The id is listed with another credential; nothing changed. */
        CONFLICT,
        /** The id was revoked; it stays revoked and nothing changed. */
        REVOKED
    }

    Optional<HardwareIdRecord> find(String hardwareId);

    /** Lists a device unless its id is already listed; see {@link AddOutcome}. Atomic per id. */
    AddOutcome add(HardwareIdRecord record);

    /**
     * Revokes a listed id: its proofs are refused from now on, and it cannot be imported again.
     *
     * @return false if the id is not listed (nothing changes); revoking twice keeps the first time and reason
     */
    boolean revoke(String hardwareId, Instant at, String reason);

    /** Records the first time the device proved itself; later calls change nothing. */
    void markSeen(String hardwareId, Instant at);

    /**
     * Listed, not revoked, never seen: devices that were imported but have not come online. A page in id order,
     * after {@code afterHardwareId} (exclusive).
     *
     * @param limit 1 to 10,000
     */
    List<HardwareIdRecord> neverSeen(Optional<String> afterHardwareId, int limit);

    /** How many ids are listed, revoked ones included. */
    long size();
}
