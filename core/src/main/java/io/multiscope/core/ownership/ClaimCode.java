package io.multiscope.core.ownership;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The stored form of a claim code: never the code itself, only a salted, keyed hash of it, when it stops being
 * accepted, and who used it. A code can be used once.
 *
 * @param hash the encoded hash (its format belongs to whoever hashed it; stores keep it as opaque text, at most 256
 *     characters)
 * @param expiresAt the first instant the code is no longer accepted
 * @param claimedBy the installer who used the code, once used (1 to 256 characters)
 * @param claimedAt when it was used, once used
 *
 * <p>Instants are kept to the microsecond (finer parts are dropped here), the finest every store keeps, so a code
 * reads back exactly as it was written.
 */
public record ClaimCode(String hash, Instant expiresAt, Optional<String> claimedBy, Optional<Instant> claimedAt) {

    public ClaimCode {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(claimedBy, "claimedBy");
        Objects.requireNonNull(claimedAt, "claimedAt");
        if (hash.isEmpty() || hash.length() > 256) {
            throw new IllegalArgumentException("claim code hash must be 1 to 256 characters");
        }
        if (claimedBy.isPresent() != claimedAt.isPresent()) {
            throw new IllegalArgumentException("claimedBy and claimedAt are set together");
        }
        claimedBy.ifPresent(installer -> OwnershipValues.requireText("claimedBy", installer,
                OwnershipValues.MAX_NAME));
        expiresAt = OwnershipValues.micros(expiresAt);
        claimedAt = OwnershipValues.micros(claimedAt);
    }

    /** An unused code. */
    public static ClaimCode unused(String hash, Instant expiresAt) {
        return new ClaimCode(hash, expiresAt, Optional.empty(), Optional.empty());
    }

    public boolean isUsed() {
        return claimedAt.isPresent();
    }

    /** Whether the code is still accepted at {@code now}: unused and not expired. */
    public boolean isOpenAt(Instant now) {
        return !isUsed() && now.isBefore(expiresAt);
    }

    /** This code marked as used. */
    public ClaimCode usedBy(String installer, Instant at) {
        return new ClaimCode(hash, expiresAt, Optional.of(installer), Optional.of(at));
    }
}
