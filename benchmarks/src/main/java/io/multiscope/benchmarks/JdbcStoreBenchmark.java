package io.multiscope.benchmarks;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.ZeroTouchProvisioning;
import io.multiscope.core.attestation.SymmetricKeyAttestation;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.store.jdbc.JdbcInventoryStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of {@link JdbcInventoryStore} against a plain-JDBC baseline on the same database, pool and threads:
 *
 * <ul>
 *   <li>baseline: one single-row {@code INSERT} and a commit per operation, into a table shaped like the store's
 *       assignment table (same columns, primary key and secondary index);</li>
 *   <li>store: {@code assign} of a new device (record, counter shard, one transaction);</li>
 *   <li>look-ups: {@code findAssignment} of devices assigned before.</li>
 * </ul>
 *
 * After a warm-up of both, baseline and store run alternately (swapping which goes first each round) so that both
 * see the same table sizes, JIT state and machine noise.
 * Arguments: {@code --seconds N} per round (default 10), {@code --rounds N} (3), {@code --threads N} (8),
 * {@code --shards N} counter shards per instance (8, the store's default), {@code --databases postgresql,h2}.
 */
public final class JdbcStoreBenchmark {

    private static final String[] INSTANCES = {"bench-0", "bench-1", "bench-2", "bench-3"};

    private final int threads;
    private final Duration round;
    private final int rounds;
    private final int shards;
    private final AtomicLong sequence = new AtomicLong();
    private final List<String> assigned = new ArrayList<>();

    private JdbcStoreBenchmark(int threads, Duration round, int rounds, int shards) {
        this.threads = threads;
        this.round = round;
        this.rounds = rounds;
        this.shards = shards;
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        int rounds = 3;
        int threads = 8;
        int shards = 8;
        List<String> databases = List.of("postgresql", "h2");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--shards" -> shards = Integer.parseInt(args[++i]);
                case "--databases" -> databases = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --seconds N --rounds N --threads N --shards N --databases postgresql,h2");
            }
        }
        System.out.printf("JdbcStoreBenchmark: %d client threads, %d rounds of %d s per measurement, %d counter shards, "
                + "%d CPUs, Java %s%n", threads, rounds, seconds, shards, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        List<String> table = new ArrayList<>();
        table.add("| Database | Measurement | ops/s | vs. baseline |");
        table.add("|---|---|---:|---:|");
        for (String db : databases) {
            JdbcStoreBenchmark benchmark = new JdbcStoreBenchmark(threads, Duration.ofSeconds(seconds), rounds,
                    shards);
            try (BenchmarkDatabase database = switch (db) {
                case "postgresql" -> new BenchmarkDatabase.Postgres(threads);
                case "h2" -> new BenchmarkDatabase.H2File(threads);
                default -> throw new IllegalArgumentException("unknown database " + db);
            }) {
                table.addAll(benchmark.run(database));
            }
        }
        System.out.println();
        table.forEach(System.out::println);
    }

    private List<String> run(BenchmarkDatabase database) throws Exception {
        String name = database.name();
        System.out.println("== " + name);
        JdbcInventoryStore store = JdbcInventoryStore.builder(database.pool()).counterShards(shards).build();
        for (String id : INSTANCES) {
            store.upsertInstance(DpsInstance.builder(id).idScope("0ne000BENCH").region("westeurope")
                    .capacity(100_000_000).build());
        }
        database.execute(database.createBaselineTable());

        Throughput.Operation baseline = t -> insertBaselineRow(database);
        Throughput.Operation assign = t -> assignNewDevice(store);
        System.out.println("warming up...");
        Throughput.measure(threads, round, baseline);
        Throughput.measure(threads, round, assign);

        double baselineTotal = 0;
        double storeTotal = 0;
        for (int r = 1; r <= rounds; r++) {
            // Alternate which goes first, so that neither always meets a warmer JIT or a larger table.
            boolean baselineFirst = r % 2 == 1;
            double first = Throughput.measure(threads, round, baselineFirst ? baseline : assign);
            double second = Throughput.measure(threads, round, baselineFirst ? assign : baseline);
            double b = baselineFirst ? first : second;
            double s = baselineFirst ? second : first;
            System.out.printf(Locale.ROOT, "round %d: baseline %.0f/s, store assign %.0f/s (ratio %.2f)%n", r, b, s,
                    s / b);
            baselineTotal += b;
            storeTotal += s;
        }
        double b = baselineTotal / rounds;
        double s = storeTotal / rounds;

        String[] known = sampleAssigned(store);
        double lookups = Throughput.measure(threads, round, t -> {
            String id = known[ThreadLocalRandom.current().nextInt(known.length)];
            if (store.findAssignment(id).isEmpty()) {
                throw new IllegalStateException("assigned device " + id + " not found");
            }
        });
        System.out.printf(Locale.ROOT, "look-ups %.0f/s over %d devices (%s rows in the store)%n", lookups,
                known.length, database.query("SELECT COUNT(*) FROM multiscope_assignment"));
        // The same look-ups through the zero-touch service, whose Caffeine cache sits in front of the store.
        ZeroTouchProvisioning service = ZeroTouchProvisioning.builder().store(store)
                .attestation(SymmetricKeyAttestation.withGroupKey(Base64.getEncoder().encodeToString(new byte[32])))
                .build();
        double cachedLookups = Throughput.measure(threads, round, t -> {
            String id = known[ThreadLocalRandom.current().nextInt(known.length)];
            if (service.lookup(id).isEmpty()) {
                throw new IllegalStateException("assigned device " + id + " not found");
            }
        });
        System.out.printf(Locale.ROOT, "look-ups with the core cache %.0f/s%n", cachedLookups);
        store.close();
        return List.of(
                String.format(Locale.ROOT, "| %s | plain `INSERT` + commit (baseline) | %,.0f | 1.00 |", name, b),
                String.format(Locale.ROOT, "| %s | new-device `assign` (store) | %,.0f | **%.2f** |", name, s, s / b),
                String.format(Locale.ROOT, "| %s | `findAssignment` of an assigned device (store only) | %,.0f | |",
                        name, lookups),
                String.format(Locale.ROOT, "| %s | `ZeroTouchProvisioning.lookup` (core cache in front) | %,.0f | |",
                        name, cachedLookups));
    }

    /** Distinct, evenly spread ids, like device serial numbers (a bijective mix of a sequence number). */
    private String nextId() {
        long z = sequence.incrementAndGet() * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return String.format("dev-%016x", z ^ (z >>> 31));
    }

    private void assignNewDevice(JdbcInventoryStore store) {
        String id = nextId();
        AssignOutcome o = store.assign(NewAssignment.of(id, INSTANCES[(int) (sequence.get() & 3)]));
        if (!(o instanceof AssignOutcome.Created)) {
            throw new IllegalStateException("expected a new assignment of " + id + ", got " + o);
        }
        if ((sequence.get() & 63) == 0) {
            synchronized (assigned) {
                assigned.add(id);
            }
        }
    }

    private void insertBaselineRow(BenchmarkDatabase database) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        try (Connection c = database.pool().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO bench_baseline (registration_id, tenant, "
                    + "instance_id, id_scope, global_endpoint, assigned_hub, device_id, state, version, created_at, "
                    + "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, nextId());
                p.setString(2, null);
                p.setString(3, INSTANCES[(int) (sequence.get() & 3)]);
                p.setString(4, "0ne000BENCH");
                p.setString(5, DpsInstance.DEFAULT_GLOBAL_ENDPOINT);
                p.setString(6, null);
                p.setString(7, null);
                p.setString(8, "ASSIGNED");
                p.setLong(9, 1);
                p.setObject(10, at);
                p.setObject(11, at);
                p.executeUpdate();
            }
            c.commit();
            c.setAutoCommit(true);
        }
    }

    private String[] sampleAssigned(JdbcInventoryStore store) {
        synchronized (assigned) {
            return assigned.toArray(String[]::new);
        }
    }

}
