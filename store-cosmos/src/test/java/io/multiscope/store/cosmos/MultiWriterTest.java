package io.multiscope.store.cosmos;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.cosmos.CosmosAsyncContainer;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.InventoryPage;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.time.VirtualClock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two stores with different writer ids, as two regions would run them, working on the same container at once. Each
 * counts in its own shards; the totals must come out exact.
 */
class MultiWriterTest {

    private static final String A = "dps-a";
    private static final String B = "dps-b";

    private final VirtualClock clock = VirtualClock.create();
    private CosmosAsyncContainer container;
    private CosmosInventoryStore westeurope;
    private CosmosInventoryStore eastus;

    @BeforeEach
    void twoWriters() {
        container = CosmosBackend.LOCAL.newContainer("multi");
        westeurope = store("westeurope-1");
        eastus = store("eastus-1");
        westeurope.upsertInstance(instance(A, 1_000_000));
        westeurope.upsertInstance(instance(B, 1_000_000));
    }

    @AfterEach
    void cleanUp() {
        for (InventoryStore s : new InventoryStore[] {westeurope, eastus}) {
            if (s != null) {
                s.close();
            }
        }
        CosmosBackend.deleteQuietly(container);
    }

    private CosmosInventoryStore store(String writerId) {
        return CosmosInventoryStore.builder().container(container).writerId(writerId).clock(clock).grantSize(64)
                .build();
    }

    private static DpsInstance instance(String id, long capacity) {
        return DpsInstance.builder(id).idScope("0ne" + id).region("westeurope").capacity(capacity).build();
    }

    @Test
    void overlappingFleetsAssignedFromTwoWritersCountExactly() throws Exception {
        int devices = 1_200;
        AtomicInteger created = new AtomicInteger();
        // West Europe takes devices 0-799, East US 400-1199: the middle third is requested by both.
        concurrently(8, t -> {
            CosmosInventoryStore store = t % 2 == 0 ? westeurope : eastus;
            int from = t % 2 == 0 ? 0 : 400;
            for (int d = from + t / 2; d < from + 800; d += 4) {
                AssignOutcome o = store.assign(NewAssignment.of("dev-" + d, d % 3 == 0 ? B : A));
                if (o instanceof AssignOutcome.Created) {
                    created.incrementAndGet();
                }
            }
        });
        assertThat(created).hasValue(devices);
        assertThat(westeurope.assignedCount(A) + westeurope.assignedCount(B)).isEqualTo(devices);
        assertThat(eastus.assignedCounts()).isEqualTo(westeurope.assignedCounts());
        assertThat(westeurope.assignedCount(B)).isEqualTo(devices / 3);
        assertCountsMatchDevices(westeurope);

        // Now both release and move each other's devices at once.
        concurrently(8, t -> {
            CosmosInventoryStore store = t % 2 == 0 ? westeurope : eastus;
            for (int d = t; d < devices; d += 8) {
                DeviceAssignment a = store.findAssignment("dev-" + d).orElseThrow();
                if (d % 4 == 0) {
                    store.release(a.registrationId(), a.version());
                } else if (a.instanceId().equals(A) && d % 4 == 1) {
                    store.move(a.registrationId(), a.version(), B);
                }
            }
        });
        long released = devices / 4;
        long movedToB = java.util.stream.IntStream.range(0, devices).filter(d -> d % 4 == 1 && d % 3 != 0).count();
        long onB = java.util.stream.IntStream.range(0, devices).filter(d -> d % 4 != 0 && d % 3 == 0).count();
        assertThat(eastus.assignedCount(A) + eastus.assignedCount(B)).isEqualTo(devices - released);
        assertThat(eastus.assignedCount(B)).isEqualTo(onB + movedToB);
        assertCountsMatchDevices(eastus);
        assertThat(westeurope.audit(B)).isEqualTo(new CountAudit(B, onB + movedToB, onB + movedToB, 0));
        assertThat(westeurope.audit(A).consistent()).isTrue();
    }

    @Test
    void twoWritersFillingOneInstanceStopExactlyAtItsCapacity() throws Exception {
        westeurope.upsertInstance(instance("dps-mid", 300));
        AtomicInteger created = new AtomicInteger();
        AtomicInteger full = new AtomicInteger();
        concurrently(8, t -> {
            CosmosInventoryStore store = t % 2 == 0 ? westeurope : eastus;
            for (int i = 0; i < 100; i++) {
                AssignOutcome o = store.assign(NewAssignment.of("w" + t + "-" + i, "dps-mid"));
                if (o instanceof AssignOutcome.Created) {
                    created.incrementAndGet();
                } else if (o instanceof AssignOutcome.Refused r && r.reason() == AssignOutcome.Reason.FULL) {
                    full.incrementAndGet();
                }
            }
        });
        assertThat(created).hasValue(300);
        assertThat(full).hasValue(800 - 300);
        assertThat(eastus.assignedCount("dps-mid")).isEqualTo(300);
        assertCountsMatchDevices(westeurope);
    }

    @Test
    void capacityHeldIdleByOneWriterIsReturnedForTheOther() {
        westeurope.upsertInstance(instance("dps-mid", 100));
        assertThat(westeurope.assign(NewAssignment.of("dev-0", "dps-mid"))).isInstanceOf(AssignOutcome.Created.class);
        // West Europe holds a grant of 64 slots and uses one: East US gets the other 36 only.
        for (int i = 1; i <= 36; i++) {
            assertThat(eastus.assign(NewAssignment.of("dev-" + i, "dps-mid"))).isInstanceOf(AssignOutcome.Created.class);
        }
        assertThat(eastus.assign(NewAssignment.of("dev-37", "dps-mid")))
                .isEqualTo(new AssignOutcome.Refused("dps-mid", AssignOutcome.Reason.FULL));
        westeurope.returnUnusedCapacity();
        for (int i = 37; i < 100; i++) {
            assertThat(eastus.assign(NewAssignment.of("dev-" + i, "dps-mid"))).isInstanceOf(AssignOutcome.Created.class);
        }
        assertThat(eastus.assign(NewAssignment.of("dev-100", "dps-mid"))).isInstanceOf(AssignOutcome.Refused.class);
        assertThat(westeurope.assign(NewAssignment.of("dev-101", "dps-mid"))).isInstanceOf(AssignOutcome.Refused.class);
        assertThat(westeurope.assignedCount("dps-mid")).isEqualTo(100);
    }

    private static void assertCountsMatchDevices(InventoryStore store) {
        Set<String> seen = new HashSet<>();
        for (DpsInstance i : store.instances()) {
            long paged = 0;
            Optional<String> after = Optional.empty();
            do {
                InventoryPage page = store.assignmentsOn(i.id(), after, 1_000);
                for (DeviceAssignment d : page.items()) {
                    assertThat(seen.add(d.registrationId())).as("%s listed once", d.registrationId()).isTrue();
                }
                paged += page.items().size();
                after = page.next();
            } while (after.isPresent());
            assertThat(store.assignedCount(i.id())).as("count of %s", i.id()).isEqualTo(paged);
        }
    }

    private static void concurrently(int threads, IntConsumer task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int index = t;
                futures.add(pool.submit(() -> task.accept(index)));
            }
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
