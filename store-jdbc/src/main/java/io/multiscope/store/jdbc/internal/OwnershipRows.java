package io.multiscope.store.jdbc.internal;

import io.multiscope.core.ownership.ClaimCode;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipPage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** Reads and writes rows of {@code multiscope_ownership}. */
final class OwnershipRows {

    private static final String COLUMNS = Table.OWNERSHIP.columnList();

    private final Dialect dialect;
    private final String insertIfAbsent;

    OwnershipRows(Dialect dialect) {
        this.dialect = dialect;
        this.insertIfAbsent = dialect.insertIfAbsent(Table.OWNERSHIP);
    }

    Optional<Ownership> find(Connection c, String registrationId) throws SQLException {
        return find(c, registrationId, "");
    }

    /** Reads the record and locks it for the rest of the transaction. */
    Optional<Ownership> findForUpdate(Connection c, String registrationId) throws SQLException {
        return find(c, registrationId, " FOR UPDATE");
    }

    private Optional<Ownership> find(Connection c, String registrationId, String suffix) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM " + Table.OWNERSHIP.name()
                + " WHERE registration_id = ?" + suffix)) {
            p.setString(1, registrationId);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(read(r)) : Optional.empty();
            }
        }
    }

    /** Inserts the record unless the device has one; true if inserted. */
    boolean insertIfAbsent(Connection c, Ownership o) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(insertIfAbsent)) {
            p.setString(1, o.registrationId());
            p.setString(2, o.owner());
            p.setString(3, o.activeInstanceId().orElse(null));
            bindClaim(p, 4, o.claim());
            p.setLong(8, o.version());
            dialect.setInstant(p, 9, o.createdAt());
            dialect.setInstant(p, 10, o.updatedAt());
            return p.executeUpdate() == 1;
        } catch (SQLException e) {
            if (dialect.isDuplicateKey(e)) {
                return false; // another transaction registered the same device first
            }
            throw e;
        }
    }

    /**
     * Replaces the active instance and the claim if the stored version and owner are the expected ones, returning
     * the row as stored; empty if no row matched.
     */
    Optional<Ownership> updateIfVersion(Connection c, Ownership updated, Instant now) throws SQLException {
        String update = "UPDATE " + Table.OWNERSHIP.name() + " SET active_instance_id = ?, claim_hash = ?, "
                + "claim_expires_at = ?, claimed_by = ?, claimed_at = ?, version = version + 1, updated_at = ? "
                + "WHERE registration_id = ? AND version = ? AND owner_id = ?";
        Optional<String> returning = dialect.updateReturning(update, COLUMNS);
        try (PreparedStatement p = c.prepareStatement(returning.orElse(update))) {
            p.setString(1, updated.activeInstanceId().orElse(null));
            bindClaim(p, 2, updated.claim());
            dialect.setInstant(p, 6, now);
            p.setString(7, updated.registrationId());
            p.setLong(8, updated.version());
            p.setString(9, updated.owner());
            if (returning.isPresent()) {
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(read(r)) : Optional.empty();
                }
            }
            if (p.executeUpdate() == 0) {
                return Optional.empty();
            }
        }
        return find(c, updated.registrationId()); // same transaction: sees the row just written
    }

    /** Gives a locked record to another owner and instance; the caller has checked its version. */
    void setOwner(Connection c, String registrationId, long expectedVersion, String owner,
            Optional<String> instanceId, Instant now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE " + Table.OWNERSHIP.name() + " SET owner_id = ?, "
                + "active_instance_id = ?, version = version + 1, updated_at = ? "
                + "WHERE registration_id = ? AND version = ?")) {
            p.setString(1, owner);
            p.setString(2, instanceId.orElse(null));
            dialect.setInstant(p, 3, now);
            p.setString(4, registrationId);
            p.setLong(5, expectedVersion);
            if (p.executeUpdate() != 1) {
                // Cannot happen while the locking read saw the latest version; should a database ever answer it
                // with an older one, this is a serialization failure and the whole transaction is tried again.
                throw new SQLException("ownership row of '" + registrationId + "' is no longer at version "
                        + expectedVersion + " under its lock", "40001");
            }
        }
    }

    void delete(Connection c, String registrationId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM " + Table.OWNERSHIP.name()
                + " WHERE registration_id = ?")) {
            p.setString(1, registrationId);
            p.executeUpdate();
        }
    }

    /**
     * Up to {@code limit} records of an owner after {@code after}, in registration-id order: one range scan of the
     * (owner_id, registration_id) index.
     */
    OwnershipPage page(Connection c, String owner, Optional<String> requestedAfter, int limit) throws SQLException {
        KeysetPage<Ownership> page = KeysetPage.read(c, "SELECT " + COLUMNS + " FROM " + Table.OWNERSHIP.name(),
                "owner_id", owner, requestedAfter, limit, this::read, Ownership::registrationId);
        return new OwnershipPage(page.items(), page.next());
    }

    /** Binds the four claim columns from {@code index} on. */
    private void bindClaim(PreparedStatement p, int index, Optional<ClaimCode> claim) throws SQLException {
        p.setString(index, claim.map(ClaimCode::hash).orElse(null));
        dialect.setInstant(p, index + 1, claim.map(ClaimCode::expiresAt));
        p.setString(index + 2, claim.flatMap(ClaimCode::claimedBy).orElse(null));
        dialect.setInstant(p, index + 3, claim.flatMap(ClaimCode::claimedAt));
    }

    private Ownership read(ResultSet r) throws SQLException {
        String hash = r.getString("claim_hash");
        Optional<ClaimCode> claim = hash == null ? Optional.empty()
                : Optional.of(new ClaimCode(hash, dialect.getInstant(r, "claim_expires_at"),
                        Optional.ofNullable(r.getString("claimed_by")), dialect.getOptionalInstant(r, "claimed_at")));
        return new Ownership(r.getString("registration_id"), r.getString("owner_id"),
                Optional.ofNullable(r.getString("active_instance_id")), claim, r.getLong("version"),
                dialect.getInstant(r, "created_at"), dialect.getInstant(r, "updated_at"));
    }
}
