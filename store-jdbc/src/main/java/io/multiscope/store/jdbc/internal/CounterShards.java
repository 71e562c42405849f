package io.multiscope.store.jdbc.internal;

import io.multiscope.core.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An instance's count, spread over N rows of {@code multiscope_instance_counter} so that concurrent assignments
 * update different rows. The instance's count is the sum of the rows' {@code assigned}.
 *
 * <p>The capacity is split the same way: shard {@code i} may hold {@code capacity_share} devices, where the shares
 * are {@code capacity / N}, plus one for the first {@code capacity % N} shards, so they add up to the capacity. A
 * shard is incremented only while {@code assigned < capacity_share}, in one conditional {@code UPDATE} that the
 * database serialises per row, so the sum can never pass the capacity; and while the sum is below the capacity some
 * shard has room, so the last free slot is always found (a full shard sends the writer to the shards with room).
 *
 * <p>When the capacity or the shard count changes, {@link #reshard} rewrites the shares and spreads the count anew,
 * under a lock on the instance's row. If the capacity drops below the count, every shard is left at or above its
 * share, so the instance takes no device; releases then take from the shards above their share first, so the
 * instance takes devices again only once its count is below the new capacity.
 */
public final class CounterShards {

    private final int shards;

    public CounterShards(int shards) {
        if (shards < 1 || shards > 1024) {
            throw new IllegalArgumentException("counter shards must be 1 to 1024, was " + shards);
        }
        this.shards = shards;
    }

    public int shards() {
        return shards;
    }

    /** Shard {@code shard}'s share of {@code capacity} among {@code shards} shards. */
    static long share(long capacity, int shards, int shard) {
        return capacity / shards + (shard < capacity % shards ? 1 : 0);
    }

    /**
     * Spreads {@code total} devices over shards with the given shares, leaving the free room (or the excess over the
     * capacity) as even as possible, so that new devices land on every shard.
     */
    static long[] spread(long total, long[] shares) {
        int n = shares.length;
        long capacity = 0;
        for (long s : shares) {
            capacity += s;
        }
        long[] counts = new long[n];
        if (total <= capacity) {
            long free = capacity - total;
            for (int i = 0; i < n; i++) {
                counts[i] = shares[i] - share(free, n, i);
            }
        } else {
            long excess = total - capacity;
            for (int i = 0; i < n; i++) {
                counts[i] = shares[i] + share(excess, n, i);
            }
        }
        return counts;
    }

    int randomShard() {
        return ThreadLocalRandom.current().nextInt(shards);
    }

    /** Counts one device on {@code shard} if it has room; true if it did. */
    boolean tryIncrement(Connection c, String instanceId, int shard) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE multiscope_instance_counter SET assigned = assigned + 1 "
                + "WHERE instance_id = ? AND shard = ? AND assigned < capacity_share")) {
            p.setString(1, instanceId);
            p.setInt(2, shard);
            return p.executeUpdate() == 1;
        }
    }

    /**
     * Counts one device on some shard with room; false if the instance is full.
     *
     * @param triedShard a shard already found full in this transaction, or -1
     */
    boolean increment(Connection c, String instanceId, int triedShard) throws SQLException {
        if (triedShard < 0) {
            int first = randomShard();
            if (tryIncrement(c, instanceId, first)) {
                return true;
            }
            triedShard = first;
        }
        // The chosen shard is full: the remaining slots, down to the last one, may be on any other shard.
        List<Integer> open = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT shard FROM multiscope_instance_counter "
                + "WHERE instance_id = ? AND assigned < capacity_share")) {
            p.setString(1, instanceId);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    if (r.getInt(1) != triedShard) {
                        open.add(r.getInt(1));
                    }
                }
            }
        }
        Collections.shuffle(open, ThreadLocalRandom.current());
        for (int shard : open) {
            if (tryIncrement(c, instanceId, shard)) {
                return true;
            }
        }
        return false;
    }

    /** Uncounts one device of the instance (whose record the caller has just removed or moved away). */
    void decrement(Connection c, String instanceId) throws SQLException {
        List<long[]> rows = read(c, instanceId, false); // {shard, assigned, share}
        // Above-share shards first (a capacity cut left them there), so that no shard reopens while the instance as
        // a whole is still at or over its capacity.
        List<long[]> over = rows.stream().filter(r -> r[1] > r[2])
                .sorted(Comparator.comparingLong((long[] r) -> r[2] - r[1])).toList();
        for (long[] r : over) {
            if (tryDecrement(c, instanceId, (int) r[0], "assigned > capacity_share")) {
                return;
            }
        }
        List<long[]> positive = new ArrayList<>(rows.stream().filter(r -> r[1] > 0).toList());
        Collections.rotate(positive, positive.isEmpty() ? 0 : ThreadLocalRandom.current().nextInt(positive.size()));
        for (long[] r : positive) {
            if (tryDecrement(c, instanceId, (int) r[0], "assigned > 0")) {
                return;
            }
        }
        // What we read was stale (concurrent releases emptied those shards): ask each shard itself.
        for (long[] r : rows) {
            if (tryDecrement(c, instanceId, (int) r[0], "assigned > 0")) {
                return;
            }
        }
        throw new StoreException("JDBC inventory: the count of instance '" + instanceId + "' is already zero while "
                + "one of its devices is being removed; the counter rows were changed outside the store. Rebuild "
                + "them with upsertInstance after correcting multiscope_instance_counter", null, instanceId, false,
                null);
    }

    private boolean tryDecrement(Connection c, String instanceId, int shard, String condition) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE multiscope_instance_counter SET assigned = assigned - 1 "
                + "WHERE instance_id = ? AND shard = ? AND " + condition)) {
            p.setString(1, instanceId);
            p.setInt(2, shard);
            return p.executeUpdate() == 1;
        }
    }

    /**
     * Gives the instance this store's N shards with shares of {@code capacity}, keeping its count. The caller holds
     * the lock on the instance's row, so no other reshard runs at the same time; the shard rows are locked here, so
     * assignments in flight finish first. Writes nothing when the layout is already right.
     */
    void reshard(Connection c, String instanceId, long capacity) throws SQLException {
        List<long[]> rows = read(c, instanceId, true);
        long[] shares = new long[shards];
        for (int i = 0; i < shards; i++) {
            shares[i] = share(capacity, shards, i);
        }
        boolean aligned = rows.size() == shards;
        long total = 0;
        for (int i = 0; i < rows.size(); i++) {
            long[] r = rows.get(i);
            total += r[1];
            aligned &= i < shards && r[0] == i && r[2] == shares[i];
        }
        if (aligned) {
            return;
        }
        long[] counts = spread(total, shares);
        boolean[] exists = new boolean[shards];
        for (long[] r : rows) {
            if (r[0] < shards) {
                exists[(int) r[0]] = true;
            }
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE multiscope_instance_counter SET assigned = ?, "
                + "capacity_share = ? WHERE instance_id = ? AND shard = ?");
                PreparedStatement insert = c.prepareStatement("INSERT INTO multiscope_instance_counter "
                        + "(instance_id, shard, assigned, capacity_share) VALUES (?, ?, ?, ?)");
                PreparedStatement delete = c.prepareStatement(
                        "DELETE FROM multiscope_instance_counter WHERE instance_id = ? AND shard >= ?")) {
            delete.setString(1, instanceId);
            delete.setInt(2, shards);
            delete.executeUpdate();
            boolean updates = false;
            boolean inserts = false;
            for (int i = 0; i < shards; i++) {
                if (exists[i]) {
                    update.setLong(1, counts[i]);
                    update.setLong(2, shares[i]);
                    update.setString(3, instanceId);
                    update.setInt(4, i);
                    update.addBatch();
                    updates = true;
                } else {
                    insert.setString(1, instanceId);
                    insert.setInt(2, i);
                    insert.setLong(3, counts[i]);
                    insert.setLong(4, shares[i]);
                    insert.addBatch();
                    inserts = true;
                }
            }
            if (updates) {
                update.executeBatch();
            }
            if (inserts) {
                insert.executeBatch();
            }
        }
    }

    /** The instance's shard rows as {shard, assigned, share}, ordered by shard; locked if {@code lock}. */
    private static List<long[]> read(Connection c, String instanceId, boolean lock) throws SQLException {
        List<long[]> rows = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("SELECT shard, assigned, capacity_share "
                + "FROM multiscope_instance_counter WHERE instance_id = ? ORDER BY shard" + (lock ? " FOR UPDATE" : ""))) {
            p.setString(1, instanceId);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    rows.add(new long[] {r.getInt(1), r.getLong(2), r.getLong(3)});
                }
            }
        }
        return rows;
    }

    /** The instance's count: the sum of its shards; -1 if it has no shard rows. */
    static long sum(Connection c, String instanceId) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(assigned), 0) "
                + "FROM multiscope_instance_counter WHERE instance_id = ?")) {
            p.setString(1, instanceId);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1) == 0 ? -1 : r.getLong(2);
            }
        }
    }
}
