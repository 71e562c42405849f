package io.multiscope.store.jdbc.internal;

import io.multiscope.core.AssignmentState;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.store.InventoryPage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Reads and writes rows of {@code multiscope_assignment}. */
public final class AssignmentRows {

    static final String COLUMNS = "registration_id, tenant, instance_id, id_scope, global_endpoint, assigned_hub, "
            + "device_id, state, version, created_at, updated_at";

    static final int MAX_TENANT = 256;
    static final int MAX_HUB = 255;
    static final int MAX_DEVICE_ID = 128;

    private final Dialect dialect;
    private final String insertIfAbsent;

    public AssignmentRows(Dialect dialect) {
        this.dialect = dialect;
        this.insertIfAbsent = dialect.insertIfAbsent(Table.ASSIGNMENT);
    }

    /** Refuses values of a record the columns cannot hold (the registration id is checked by the store). */
    public static void requireStorable(String registrationId, Optional<String> tenant, Optional<String> hub,
            Optional<String> deviceId) {
        StorableText.require("tenant", tenant.orElse(null), MAX_TENANT, registrationId);
        StorableText.require("assignedHub", hub.orElse(null), MAX_HUB, registrationId);
        StorableText.require("deviceId", deviceId.orElse(null), MAX_DEVICE_ID, registrationId);
    }

    public Optional<DeviceAssignment> find(Connection c, String registrationId) throws SQLException {
        return find(c, registrationId, "");
    }

    /** Reads the record and locks it for the rest of the transaction. */
    Optional<DeviceAssignment> findForUpdate(Connection c, String registrationId) throws SQLException {
        return find(c, registrationId, " FOR UPDATE");
    }

    private Optional<DeviceAssignment> find(Connection c, String registrationId, String suffix) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS
                + " FROM multiscope_assignment WHERE registration_id = ?" + suffix)) {
            p.setString(1, registrationId);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(read(r)) : Optional.empty();
            }
        }
    }

    /**
     * Up to {@code limit} records of an instance after {@code after}, in registration-id order: one range scan of
     * the (instance_id, registration_id) index, so a page costs the same at the start and the end of a large fleet.
     */
    public InventoryPage page(Connection c, String instanceId, Optional<String> requestedAfter, int limit)
            throws SQLException {
        KeysetPage<DeviceAssignment> page = KeysetPage.read(c, "SELECT " + COLUMNS + " FROM multiscope_assignment",
                "instance_id", instanceId, requestedAfter, limit, this::read, DeviceAssignment::registrationId);
        return new InventoryPage(page.items(), page.next());
    }

    /** Inserts the record unless the device has one; true if inserted. */
    boolean insertIfAbsent(Connection c, DeviceAssignment a) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(insertIfAbsent)) {
            p.setString(1, a.registrationId());
            p.setString(2, a.tenant().orElse(null));
            p.setString(3, a.instanceId());
            p.setString(4, a.idScope());
            p.setString(5, a.globalEndpoint());
            p.setString(6, a.assignedHub().orElse(null));
            p.setString(7, a.deviceId().orElse(null));
            p.setString(8, a.state().name());
            p.setLong(9, a.version());
            dialect.setInstant(p, 10, a.createdAt());
            dialect.setInstant(p, 11, a.updatedAt());
            return p.executeUpdate() == 1;
        } catch (SQLException e) {
            if (dialect.isDuplicateKey(e)) {
                return false; // another transaction inserted the same device first
            }
            throw e;
        }
    }

    /**
     * Replaces the mutable fields if the stored version and instance are the expected ones, returning the row as
     * stored; empty if no row matched.
     */
    Optional<DeviceAssignment> updateIfVersion(Connection c, DeviceAssignment updated, java.time.Instant now)
            throws SQLException {
        String update = "UPDATE multiscope_assignment SET tenant = ?, assigned_hub = ?, device_id = ?, state = ?, "
                + "version = version + 1, updated_at = ? WHERE registration_id = ? AND version = ? AND instance_id = ?";
        Optional<String> returning = dialect.updateReturning(update, COLUMNS);
        try (PreparedStatement p = c.prepareStatement(returning.orElse(update))) {
            p.setString(1, updated.tenant().orElse(null));
            p.setString(2, updated.assignedHub().orElse(null));
            p.setString(3, updated.deviceId().orElse(null));
            p.setString(4, updated.state().name());
            dialect.setInstant(p, 5, now);
            p.setString(6, updated.registrationId());
            p.setLong(7, updated.version());
            p.setString(8, updated.instanceId());
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

    /** Points the record at another instance: hub and device id cleared, state ASSIGNED, version increased. */
    void moveTo(Connection c, String registrationId, String instanceId, InstanceHead target, java.time.Instant now)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE multiscope_assignment SET instance_id = ?, "
                + "id_scope = ?, global_endpoint = ?, assigned_hub = NULL, device_id = NULL, state = ?, "
                + "version = version + 1, updated_at = ? WHERE registration_id = ?")) {
            p.setString(1, instanceId);
            p.setString(2, target.idScope());
            p.setString(3, target.globalEndpoint());
            p.setString(4, AssignmentState.ASSIGNED.name());
            dialect.setInstant(p, 5, now);
            p.setString(6, registrationId);
            p.executeUpdate();
        }
    }

    void delete(Connection c, String registrationId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "DELETE FROM multiscope_assignment WHERE registration_id = ?")) {
            p.setString(1, registrationId);
            p.executeUpdate();
        }
    }

    private DeviceAssignment read(ResultSet r) throws SQLException {
        return new DeviceAssignment(r.getString("registration_id"), Optional.ofNullable(r.getString("tenant")),
                r.getString("instance_id"), r.getString("id_scope"), r.getString("global_endpoint"),
                Optional.ofNullable(r.getString("assigned_hub")), Optional.ofNullable(r.getString("device_id")),
                AssignmentState.valueOf(r.getString("state")), r.getLong("version"),
                dialect.getInstant(r, "created_at"), dialect.getInstant(r, "updated_at"));
    }
}
