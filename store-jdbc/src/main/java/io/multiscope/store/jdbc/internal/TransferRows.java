package io.multiscope.store.jdbc.internal;

import io.multiscope.core.ownership.OwnershipTransfer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads and appends rows of {@code multiscope_ownership_transfer}, a device's transfer history. */
final class TransferRows {

    private static final String COLUMNS = "registration_id, sequence_number, from_owner_id, to_owner_id, "
            + "from_instance_id, to_instance_id, actor, transferred_at";

    private final Dialect dialect;

    TransferRows(Dialect dialect) {
        this.dialect = dialect;
    }

    /**
     * The sequence number of the device's next transfer. Only correct while the caller holds the lock of the
     * device's ownership row: every append happens under that lock, so no other transaction can append between
     * this read and the caller's insert (and the primary key would refuse a duplicate if one did).
     */
    long nextSequence(Connection c, String registrationId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT COALESCE(MAX(sequence_number), 0) FROM "
                + Table.OWNERSHIP_TRANSFER + " WHERE registration_id = ?")) {
            p.setString(1, registrationId);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1) + 1;
            }
        }
    }

    void insert(Connection c, OwnershipTransfer t) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT INTO " + Table.OWNERSHIP_TRANSFER + " (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, t.registrationId());
            p.setLong(2, t.sequence());
            p.setString(3, t.fromOwner());
            p.setString(4, t.toOwner());
            p.setString(5, t.fromInstanceId().orElse(null));
            p.setString(6, t.toInstanceId().orElse(null));
            p.setString(7, t.actor());
            dialect.setInstant(p, 8, t.at());
            p.executeUpdate();
        }
    }

    /** The device's transfers, oldest first: a range of the primary key. */
    List<OwnershipTransfer> history(Connection c, String registrationId) throws SQLException {
        List<OwnershipTransfer> history = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS + " FROM " + Table.OWNERSHIP_TRANSFER
                + " WHERE registration_id = ? ORDER BY sequence_number")) {
            p.setString(1, registrationId);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    history.add(new OwnershipTransfer(r.getString("registration_id"), r.getLong("sequence_number"),
                            r.getString("from_owner_id"), r.getString("to_owner_id"),
                            Optional.ofNullable(r.getString("from_instance_id")),
                            Optional.ofNullable(r.getString("to_instance_id")), r.getString("actor"),
                            dialect.getInstant(r, "transferred_at")));
                }
            }
        }
        return history;
    }

    void deleteAll(Connection c, String registrationId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM " + Table.OWNERSHIP_TRANSFER
                + " WHERE registration_id = ?")) {
            p.setString(1, registrationId);
            p.executeUpdate();
        }
    }
}
