package io.multiscope.store.cosmos;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.NewAssignment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Assignments per second through {@link CosmosInventoryStore} with 16 concurrent callers, as a ratio to raw
 * {@code createItem} throughput with 16 concurrent callers on the same server in the same run. Not a unit test: runs
 * only with {@code -Dmultiscope.cosmos.benchmark=true} (see docs/benchmarks.md for the command) and writes its
 * result to {@code target/benchmark-store-cosmos.txt}.
 */
class AssignThroughputBenchmark {

    private static final int THREADS = 16;
    private static final int OPERATIONS = Integer.getInteger("multiscope.cosmos.benchmark.operations", 3_000);
    private static final int ROUNDS = Integer.getInteger("multiscope.cosmos.benchmark.rounds", 5);

    @Test
    void assignmentsPerSecondAgainstRawCreates() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("multiscope.cosmos.benchmark"),
                "benchmark: run with -Dmultiscope.cosmos.benchmark=true");
        CosmosAsyncContainer container = CosmosBackend.LOCAL.newContainer("bench");
        try {
            AtomicLong requests = new AtomicLong();
            CosmosInventoryStore store = CosmosInventoryStore.builder().container(container).writerId("bench-1")
                    .requestChargeListener((op, n, ru) -> {
                        if (op.equals("assign")) {
                            requests.addAndGet(n);
                        }
                    }).build();
            store.upsertInstance(DpsInstance.builder("dps-a").idScope("0ne0000000A").region("westeurope").build());
            store.upsertInstance(DpsInstance.builder("dps-b").idScope("0ne0000000B").region("westeurope").build());

            // Warm-up: connections, JIT, the first grants.
            rawCreates(container, "raw-warm", 4_000);
            assigns(store, "warm", 2_000);
            requests.set(0);

            StringBuilder report = new StringBuilder();
            List<Double> ratios = new ArrayList<>();
            long assignments = 0;
            for (int round = 1; round <= ROUNDS; round++) {
                // Alternate the order so a trend (server warming up, other load on the machine) favours neither.
                double raw;
                double assign;
                if (round % 2 == 1) {
                    raw = rawCreates(container, "raw-" + round, OPERATIONS);
                    assign = assigns(store, "dev-" + round, OPERATIONS);
                } else {
                    assign = assigns(store, "dev-" + round, OPERATIONS);
                    raw = rawCreates(container, "raw-" + round, OPERATIONS);
                }
                assignments += OPERATIONS;
                ratios.add(assign / raw);
                report.append(String.format(Locale.ROOT, "round %d: raw createItem %.0f/s, assign %.0f/s, ratio %.3f%n",
                        round, raw, assign, assign / raw));
            }
            ratios.sort(Double::compare);
            report.append(String.format(Locale.ROOT,
                    "median ratio %.3f over %d rounds of %d operations, %d threads; %.2f requests per assignment%n",
                    ratios.get(ratios.size() / 2), ROUNDS, OPERATIONS, THREADS, (double) requests.get() / assignments));
            System.out.print(report);
            Files.writeString(Path.of("target", "benchmark-store-cosmos.txt"), "# " + Instant.now() + "\n" + report);
            assertThat(store.assignedCount("dps-a") + store.assignedCount("dps-b"))
                    .isEqualTo(2_000 + (long) ROUNDS * OPERATIONS);
            store.close();
        } finally {
            CosmosBackend.deleteQuietly(container);
        }
    }

    /** Creates {@code n} device-sized documents from 16 threads; returns creates per second. */
    private static double rawCreates(CosmosAsyncContainer container, String prefix, int n) throws Exception {
        AtomicInteger next = new AtomicInteger();
        return run(n, t -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                String id = prefix + "-" + i;
                ObjectNode doc = JsonNodeFactory.instance.objectNode().put("id", id).put("pk", id)
                        .put("kind", "raw").put("schema", 1).put("instance", "dps-raw").put("idScope", "0ne0000000A")
                        .put("globalEndpoint", DpsInstance.DEFAULT_GLOBAL_ENDPOINT).putNull("tenant")
                        .putNull("hub").putNull("deviceId").put("state", "ASSIGNED").put("version", 1)
                        .put("createdAt", Instant.now().toString()).put("updatedAt", Instant.now().toString());
                container.createItem(doc, new PartitionKey(id), null).block();
            }
        });
    }

    /** Assigns {@code n} new devices from 16 threads; returns assignments per second. */
    private static double assigns(CosmosInventoryStore store, String prefix, int n) throws Exception {
        AtomicInteger next = new AtomicInteger();
        return run(n, t -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                AssignOutcome o = store.assign(NewAssignment.of(prefix + "-" + i, i % 2 == 0 ? "dps-a" : "dps-b"));
                if (!(o instanceof AssignOutcome.Created)) {
                    throw new AssertionError("not created: " + o);
                }
            }
        });
    }

    private static double run(int n, IntConsumer worker) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int index = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    worker.accept(index);
                    return null;
                }));
            }
            long began = System.nanoTime();
            start.countDown();
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.MINUTES);
            }
            return n / ((System.nanoTime() - began) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }
}
