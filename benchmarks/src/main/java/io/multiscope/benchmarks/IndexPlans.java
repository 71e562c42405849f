package io.multiscope.benchmarks;

import io.multiscope.core.DpsInstance;
import io.multiscope.store.jdbc.JdbcInventoryStore;
import io.multiscope.store.jdbc.JdbcDialect;
import io.multiscope.store.jdbc.internal.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * Fills the inventory of an embedded PostgreSQL with many devices (default 10 million) and prints the execution plan
 * and timing of each hot query, to show that each stays an index lookup or range scan at that size. The rows are
 * generated in SQL (the same tables the store writes); the counter shards are set to match.
 *
 * <p>Arguments: {@code --rows N}.
 */
public final class IndexPlans {

    private static final String COLUMNS = "registration_id, tenant, instance_id, id_scope, global_endpoint, "
            + "assigned_hub, device_id, state, version, created_at, updated_at";

    private IndexPlans() {
    }

    public static void main(String[] args) throws Exception {
        long rows = 10_000_000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rows")) {
                rows = Long.parseLong(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i] + "; use --rows N");
            }
        }
        try (BenchmarkDatabase.Postgres db = new BenchmarkDatabase.Postgres(2)) {
            JdbcInventoryStore store = JdbcInventoryStore.builder(db.pool()).build();
            for (int i = 0; i < 4; i++) {
                store.upsertInstance(DpsInstance.builder("dps-" + i).idScope("0ne000PLAN" + i).region("westeurope")
                        .capacity(rows).build());
            }
            try (Connection c = db.pool().getConnection(); Statement s = c.createStatement()) {
                long start = System.nanoTime();
                long batch = 1_000_000;
                for (long from = 1; from <= rows; from += batch) {
                    long to = Math.min(rows, from + batch - 1);
                    // md5 gives evenly spread ids, as device serial numbers are; dps-N by the id's first hex digit.
                    s.execute("INSERT INTO multiscope_assignment (" + COLUMNS + ") SELECT id, NULL, "
                            + "'dps-' || (get_byte(decode(substr(md5(n::text), 1, 2), 'hex'), 0) % 4), '0ne000PLAN', "
                            + "'global.azure-devices-provisioning.net', NULL, NULL, 'ASSIGNED', 1, now(), now() "
                            + "FROM (SELECT n, 'dev-' || md5(n::text) AS id FROM generate_series(" + from + ", " + to
                            + ") n) g");
                    System.out.printf(Locale.ROOT, "%,d rows (%.0f s)%n", to, (System.nanoTime() - start) / 1e9);
                }
                s.execute("UPDATE multiscope_instance_counter c SET assigned = x.n / 8 + "
                        + "CASE WHEN c.shard < x.n % 8 THEN 1 ELSE 0 END FROM (SELECT instance_id, COUNT(*) AS n "
                        + "FROM multiscope_assignment GROUP BY instance_id) x WHERE c.instance_id = x.instance_id");
                s.execute("VACUUM ANALYZE multiscope_assignment");
                s.execute("VACUUM ANALYZE multiscope_instance_counter");
                System.out.println();
                System.out.println(db.name() + ", " + rows + " devices; counts " + store.assignedCounts());
                print(s, "SELECT pg_size_pretty(pg_relation_size('multiscope_assignment')) AS heap, "
                        + "pg_size_pretty(pg_relation_size('multiscope_assignment_pkey')) AS pkey, "
                        + "pg_size_pretty(pg_relation_size('multiscope_assignment_by_instance')) AS by_instance");

                String someId = first(s, "SELECT registration_id FROM multiscope_assignment WHERE instance_id = 'dps-2' "
                        + "ORDER BY registration_id OFFSET " + rows / 8 + " LIMIT 1");
                explain(s, "Look-up by registration id (findAssignment; update/move/release lock the same way)",
                        "SELECT " + COLUMNS + " FROM multiscope_assignment WHERE registration_id = '" + someId + "'");
                explain(s, "One page of an instance's devices, from the middle of the instance (assignmentsOn, limit 1000)",
                        "SELECT " + COLUMNS + " FROM multiscope_assignment WHERE instance_id = 'dps-2' "
                                + "AND registration_id > '" + someId + "' ORDER BY registration_id LIMIT 1001");
                explain(s, "An instance's count (assignedCount): the sum of its shards",
                        "SELECT COUNT(*), COALESCE(SUM(assigned), 0) FROM multiscope_instance_counter "
                                + "WHERE instance_id = 'dps-2'");
                s.execute("BEGIN");
                // The store's own statement, with the values bound as it binds them.
                String assign = Dialect.of(JdbcDialect.POSTGRESQL).singleStatementAssign().orElseThrow();
                try (PreparedStatement p = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + assign)) {
                    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
                    p.setString(1, "dps-2");
                    p.setString(2, "dev-new-device");
                    p.setString(3, null);
                    p.setObject(4, now);
                    p.setObject(5, now);
                    p.setString(6, "dps-2");
                    p.setInt(7, 3);
                    System.out.println();
                    System.out.println("-- Assigning a new device: the store's single statement (insert if absent and "
                            + "active, count on a shard; rolled back here)");
                    try (ResultSet r = p.executeQuery()) {
                        while (r.next()) {
                            System.out.println(r.getString(1));
                        }
                    }
                }
                s.execute("ROLLBACK");
            }
            store.close();
        }
    }

    private static void explain(Statement s, String title, String sql) throws SQLException {
        System.out.println();
        System.out.println("-- " + title);
        print(s, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql);
    }

    private static String first(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private static void print(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            int columns = r.getMetaData().getColumnCount();
            while (r.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    line.append(i > 1 ? "  " : "").append(columns > 1 ? r.getMetaData().getColumnLabel(i) + "=" : "")
                            .append(r.getString(i));
                }
                System.out.println(line);
            }
        }
    }
}
