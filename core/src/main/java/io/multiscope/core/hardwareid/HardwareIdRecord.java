package io.multiscope.core.hardwareid;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One device of a manufacturer's list.
 *
 * @param hardwareId the device's unique id, lower-cased; it is also its DPS registration id
 * @param credential what its proofs are checked against
 * @param batch the name of the import that brought it (the manufacturer's file, say)
 * @param importedAt when it was first imported
 * @param firstSeenAt when it first proved itself, if it has
 * @param revokedAt when it was revoked, if it was
 * @param revocationReason why, if it was
 */
public record HardwareIdRecord(String hardwareId, HardwareCredential credential, String batch, Instant importedAt,
        Optional<Instant> firstSeenAt, Optional<Instant> revokedAt, Optional<String> revocationReason) {

    public HardwareIdRecord {
        Objects.requireNonNull(hardwareId, "hardwareId");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(importedAt, "importedAt");
        Objects.requireNonNull(firstSeenAt, "firstSeenAt");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(revocationReason, "revocationReason");
    }

    /** A newly imported device: not seen, not revoked. */
    public static HardwareIdRecord imported(String hardwareId, HardwareCredential credential, String batch,
            Instant at) {
        return new HardwareIdRecord(hardwareId, credential, batch, at, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    public boolean isRevoked() {
        return revokedAt.isPresent();
    }

    public HardwareIdRecord seen(Instant at) {
        return firstSeenAt.isPresent() ? this : new HardwareIdRecord(hardwareId, credential, batch, importedAt,
                Optional.of(at), revokedAt, revocationReason);
    }

    public HardwareIdRecord revoked(Instant at, String reason) {
        return new HardwareIdRecord(hardwareId, credential, batch, importedAt, firstSeenAt, Optional.of(at),
                Optional.of(reason));
    }
}
