package io.multiscope.store.jdbc.internal;

import io.multiscope.core.DpsInstance;
import io.multiscope.spi.InstanceState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads and writes rows of {@code multiscope_instance}. */
public final class InstanceRows {

    private static final String COLUMNS = "instance_id, id_scope, global_endpoint, region, tenant_pool, tags, weight, "
            + "state, capacity, registrations_per_minute";
    private static final int MAX_TAGS_LENGTH = 4000;

    private final Dialect dialect;
    private final String insertIfAbsent;

    public InstanceRows(Dialect dialect) {
        this.dialect = dialect;
        this.insertIfAbsent = dialect.insertIfAbsent(Table.INSTANCE);
    }

    /** Refuses values the columns cannot hold; the instance's own builder has checked the rest. */
    public static void requireStorable(DpsInstance instance) {
        StorableText.require("idScope of " + instance.id(), instance.idScope(), 64, null);
        StorableText.require("globalEndpoint of " + instance.id(), instance.globalEndpoint(), 255, null);
        StorableText.require("region of " + instance.id(), instance.region(), 64, null);
        StorableText.require("tenantPool of " + instance.id(), instance.tenantPool().orElse(null), 128, null);
        StorableText.require("tags of " + instance.id() + " (encoded)", TagCodec.encode(instance.tags()),
                MAX_TAGS_LENGTH, null);
    }

    public Optional<DpsInstance> find(Connection c, String instanceId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS
                + " FROM multiscope_instance WHERE instance_id = ?")) {
            p.setString(1, instanceId);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(read(r)) : Optional.empty();
            }
        }
    }

    public List<DpsInstance> all(Connection c) throws SQLException {
        List<DpsInstance> list = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT " + COLUMNS
                + " FROM multiscope_instance ORDER BY instance_id");
                ResultSet r = p.executeQuery()) {
            while (r.next()) {
                list.add(read(r));
            }
        }
        return list;
    }

    Optional<InstanceHead> head(Connection c, String instanceId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT id_scope, global_endpoint, state FROM multiscope_instance WHERE instance_id = ?")) {
            p.setString(1, instanceId);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(new InstanceHead(r.getString(1), r.getString(2),
                        InstanceState.valueOf(r.getString(3)))) : Optional.empty();
            }
        }
    }

    /** Locks the instance's row for the rest of the transaction; returns its capacity, or empty if absent. */
    Optional<Long> lock(Connection c, String instanceId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT capacity FROM multiscope_instance WHERE instance_id = ? FOR UPDATE")) {
            p.setString(1, instanceId);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(r.getLong(1)) : Optional.empty();
            }
        }
    }

    /** Inserts the instance unless a row with its id exists; true if inserted. */
    boolean insertIfAbsent(Connection c, DpsInstance instance, Instant now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(insertIfAbsent)) {
            int i = 1;
            p.setString(i++, instance.id());
            i = bindConfiguration(p, i, instance, now);
            return p.executeUpdate() == 1;
        } catch (SQLException e) {
            if (dialect.isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }

    void update(Connection c, DpsInstance instance, Instant now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE multiscope_instance SET id_scope = ?, "
                + "global_endpoint = ?, region = ?, tenant_pool = ?, tags = ?, weight = ?, state = ?, capacity = ?, "
                + "registrations_per_minute = ?, updated_at = ? WHERE instance_id = ?")) {
            int i = bindConfiguration(p, 1, instance, now);
            p.setString(i, instance.id());
            p.executeUpdate();
        }
    }

    /** Sets the state; false if no such instance. */
    boolean setState(Connection c, String instanceId, InstanceState state, Instant now) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "UPDATE multiscope_instance SET state = ?, updated_at = ? WHERE instance_id = ?")) {
            p.setString(1, state.name());
            dialect.setInstant(p, 2, now);
            p.setString(3, instanceId);
            return p.executeUpdate() == 1;
        }
    }

    /** Binds every column after {@code instance_id} in {@link Table#INSTANCE} order; returns the next index. */
    private int bindConfiguration(PreparedStatement p, int first, DpsInstance instance, Instant now)
            throws SQLException {
        int i = first;
        p.setString(i++, instance.idScope());
        p.setString(i++, instance.globalEndpoint());
        p.setString(i++, instance.region());
        p.setString(i++, instance.tenantPool().orElse(null));
        p.setString(i++, TagCodec.encode(instance.tags()));
        p.setInt(i++, instance.weight());
        p.setString(i++, instance.state().name());
        p.setLong(i++, instance.capacity());
        p.setInt(i++, instance.registrationsPerMinute());
        dialect.setInstant(p, i++, now);
        return i;
    }

    private static DpsInstance read(ResultSet r) throws SQLException {
        DpsInstance.Builder b = DpsInstance.builder(r.getString("instance_id"))
                .idScope(r.getString("id_scope"))
                .globalEndpoint(r.getString("global_endpoint"))
                .region(r.getString("region"))
                .tags(TagCodec.decode(r.getString("tags")))
                .weight(r.getInt("weight"))
                .state(InstanceState.valueOf(r.getString("state")))
                .capacity(r.getLong("capacity"))
                .registrationsPerMinute(r.getInt("registrations_per_minute"));
        String pool = r.getString("tenant_pool");
        if (pool != null) {
            b.tenantPool(pool);
        }
        return b.build();
    }
}
