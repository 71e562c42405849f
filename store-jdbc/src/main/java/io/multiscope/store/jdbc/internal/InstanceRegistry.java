package io.multiscope.store.jdbc.internal;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.store.UnknownInstanceException;
import io.multiscope.spi.InstanceState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The instance registry's writes and counts, and keeping every instance's counter shards in this store's layout. */
public final class InstanceRegistry {

    private final InstanceRows rows;
    private final CounterShards counters;
    private final Clock clock;

    public InstanceRegistry(InstanceRows rows, CounterShards counters, Clock clock) {
        this.rows = rows;
        this.counters = counters;
        this.clock = clock;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** Adds or replaces an instance's configuration and fits its counter shards to its capacity (in one transaction). */
    public void upsert(Connection c, DpsInstance instance) throws SQLException {
        Instant now = now();
        if (rows.lock(c, instance.id()).isEmpty()) {
            if (!rows.insertIfAbsent(c, instance, now)) {
                rows.lock(c, instance.id()); // another node added it first: wait for it, then overwrite
                rows.update(c, instance, now);
            }
        } else {
            rows.update(c, instance, now);
        }
        counters.reshard(c, instance.id(), instance.capacity());
    }

    public DpsInstance setState(Connection c, String instanceId, InstanceState state) throws SQLException {
        if (!rows.setState(c, instanceId, state, now())) {
            throw new UnknownInstanceException(instanceId);
        }
        return rows.find(c, instanceId).orElseThrow(() -> new UnknownInstanceException(instanceId));
    }

    public long count(Connection c, String instanceId) throws SQLException {
        long sum = CounterShards.sum(c, instanceId);
        if (sum >= 0) {
            return sum;
        }
        if (rows.head(c, instanceId).isEmpty()) {
            throw new UnknownInstanceException(instanceId);
        }
        return 0;
    }

    public Map<String, Long> counts(Connection c) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (PreparedStatement p = c.prepareStatement("SELECT i.instance_id, COALESCE(SUM(c.assigned), 0) "
                + "FROM multiscope_instance i LEFT JOIN multiscope_instance_counter c ON c.instance_id = i.instance_id "
                + "GROUP BY i.instance_id ORDER BY i.instance_id");
                ResultSet r = p.executeQuery()) {
            while (r.next()) {
                counts.put(r.getString(1), r.getLong(2));
            }
        }
        return counts;
    }

    /** Instances whose counter rows are not this store's N shards with shares of the capacity. */
    public List<String> misaligned(Connection c) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT i.instance_id, i.capacity, COUNT(c.shard), "
                + "COALESCE(SUM(c.capacity_share), 0), COALESCE(MIN(c.shard), 0), COALESCE(MAX(c.shard), -1) "
                + "FROM multiscope_instance i LEFT JOIN multiscope_instance_counter c ON c.instance_id = i.instance_id "
                + "GROUP BY i.instance_id, i.capacity");
                ResultSet r = p.executeQuery()) {
            while (r.next()) {
                boolean aligned = r.getLong(3) == counters.shards() && r.getLong(4) == r.getLong(2)
                        && r.getInt(5) == 0 && r.getInt(6) == counters.shards() - 1;
                if (!aligned) {
                    ids.add(r.getString(1));
                }
            }
        }
        return ids;
    }

    /** Re-spreads one instance's count over this store's shards (in the caller's transaction). */
    public void align(Connection c, String instanceId) throws SQLException {
        var capacity = rows.lock(c, instanceId);
        if (capacity.isPresent()) {
            counters.reshard(c, instanceId, capacity.get());
        }
    }
}
