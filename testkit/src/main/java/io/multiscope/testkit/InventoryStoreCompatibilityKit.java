package io.multiscope.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.AssignmentState;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.DeviceNotFoundException;
import io.multiscope.core.store.InventoryPage;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.store.UnknownInstanceException;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.spi.InstanceState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link InventoryStore} must meet. Extend it in your store's test and implement
 * {@link #createStore(VirtualClock)}:
 *
 * <pre>{@code
 * class MyStoreTest extends InventoryStoreCompatibilityKit {
 *     protected InventoryStore createStore(VirtualClock clock) { return new MyStore(dataSource, clock); }
 * }
 * }</pre>
 *
 * Each test gets a new, empty store from {@link #createStore}; {@link #closeStore} runs after it.
 */
public abstract class InventoryStoreCompatibilityKit {

    /** Two active instances and one small one, registered before every test. */
    protected static final String A = "dps-a";
    protected static final String B = "dps-b";
    protected static final String SMALL = "dps-small";

    protected InventoryStore store;
    protected VirtualClock clock;

    /** Returns a new store with no instances and no assignments, stamping records with {@code clock}. */
    protected abstract InventoryStore createStore(VirtualClock clock);

    /** Called after every test; closes the store by default. */
    protected void closeStore(InventoryStore store) {
        store.close();
    }

    /** Devices in the large-fleet test; lower it for back-ends whose test servers are slow. */
    protected int largeFleetSize() {
        return 100_000;
    }

    /** Threads writing concurrently in the contention tests. */
    protected int contentionThreads() {
        return 16;
    }

    @BeforeEach
    void createStoreWithInstances() {
        clock = VirtualClock.create();
        store = createStore(clock);
        store.upsertInstance(instance(A, 1_000_000));
        store.upsertInstance(instance(B, 1_000_000));
        store.upsertInstance(instance(SMALL, 10));
    }

    @AfterEach
    void closeStoreAfterTest() {
        if (store != null) {
            closeStore(store);
        }
    }

    protected static DpsInstance instance(String id, long capacity) {
        return DpsInstance.builder(id).idScope("0ne" + Math.abs(id.hashCode() % 100_000_000)).region("westeurope")
                .globalEndpoint("dps.example.test").capacity(capacity).build();
    }

    protected DeviceAssignment assignNew(String registrationId, String instanceId) {
        AssignOutcome outcome = store.assign(NewAssignment.of(registrationId, instanceId));
        assertThat(outcome).as("assign %s to %s", registrationId, instanceId).isInstanceOf(AssignOutcome.Created.class);
        return ((AssignOutcome.Created) outcome).assignment();
    }

    /** The assigned count must equal the devices found by paging through the instance. */
    protected void assertCountsMatchPaging() {
        for (DpsInstance i : store.instances()) {
            long paged = 0;
            Optional<String> after = Optional.empty();
            do {
                InventoryPage page = store.assignmentsOn(i.id(), after, 1_000);
                paged += page.items().size();
                after = page.next();
            } while (after.isPresent());
            assertThat(store.assignedCount(i.id())).as("count of %s vs its devices", i.id()).isEqualTo(paged);
        }
    }

    @Nested
    class Registry {

        @Test
        void listsInstancesInIdOrder() {
            assertThat(store.instances()).extracting(DpsInstance::id).containsExactly(A, B, SMALL);
        }

        @Test
        void roundTripsEveryInstanceField() {
            DpsInstance full = DpsInstance.builder("dps-full").idScope("0ne00FULL01").region("eastus")
                    .globalEndpoint("localhost:8443").tenantPool("contoso").tags(Set.of("gold", "eu"))
                    .weight(7).state(InstanceState.DRAINING).capacity(123_456).registrationsPerMinute(600).build();
            store.upsertInstance(full);
            assertThat(store.findInstance("dps-full")).contains(full);
        }

        @Test
        void upsertReplacesConfigurationButKeepsDevices() {
            assignNew("dev-1", A);
            store.upsertInstance(instance(A, 500).toBuilder().region("northeurope").build());
            assertThat(store.findInstance(A).orElseThrow().region()).isEqualTo("northeurope");
            assertThat(store.assignedCount(A)).isEqualTo(1);
            assertThat(store.findAssignment("dev-1")).isPresent();
        }

        @Test
        void unknownInstanceIsReportedByName() {
            assertThat(store.findInstance("nope")).isEmpty();
            assertThatThrownBy(() -> store.assignedCount("nope")).isInstanceOf(UnknownInstanceException.class)
                    .hasMessageContaining("nope");
            assertThatThrownBy(() -> store.setInstanceState("nope", InstanceState.DRAINING))
                    .isInstanceOf(UnknownInstanceException.class);
            assertThatThrownBy(() -> store.assign(NewAssignment.of("dev-1", "nope")))
                    .isInstanceOf(UnknownInstanceException.class);
            assertThat(store.findAssignment("dev-1")).isEmpty();
        }

        @Test
        void countsStartAtZero() {
            assertThat(store.assignedCounts()).containsExactly(Map.entry(A, 0L), Map.entry(B, 0L), Map.entry(SMALL, 0L));
        }
    }

    @Nested
    class Crud {

        @Test
        void assignCreatesARecordAndCountsIt() {
            clock.advance(Duration.ofSeconds(5));
            AssignOutcome outcome = store.assign(new NewAssignment("dev-1", A, Optional.of("contoso")));
            assertThat(outcome).isInstanceOf(AssignOutcome.Created.class);
            DeviceAssignment a = ((AssignOutcome.Created) outcome).assignment();
            DpsInstance inst = store.findInstance(A).orElseThrow();
            assertThat(a.registrationId()).isEqualTo("dev-1");
            assertThat(a.tenant()).contains("contoso");
            assertThat(a.instanceId()).isEqualTo(A);
            assertThat(a.idScope()).isEqualTo(inst.idScope());
            assertThat(a.globalEndpoint()).isEqualTo(inst.globalEndpoint());
            assertThat(a.state()).isEqualTo(AssignmentState.ASSIGNED);
            assertThat(a.assignedHub()).isEmpty();
            assertThat(a.createdAt()).isEqualTo(clock.instant());
            assertThat(store.findAssignment("dev-1")).contains(a);
            assertThat(store.assignedCount(A)).isEqualTo(1);
            assertThat(store.assignedCount(B)).isZero();
        }

        @Test
        void updateChangesMutableFieldsAndBumpsVersion() {
            DeviceAssignment a = assignNew("dev-1", A);
            clock.advance(Duration.ofMinutes(1));
            DeviceAssignment stored = store.update(a.registered("hub-1.azure-devices.net", "dev-1"));
            assertThat(stored.version()).isEqualTo(a.version() + 1);
            assertThat(stored.state()).isEqualTo(AssignmentState.REGISTERED);
            assertThat(stored.assignedHub()).contains("hub-1.azure-devices.net");
            assertThat(stored.deviceId()).contains("dev-1");
            assertThat(stored.createdAt()).isEqualTo(a.createdAt());
            assertThat(stored.updatedAt()).isEqualTo(clock.instant());
            assertThat(store.findAssignment("dev-1")).contains(stored);
            assertThat(store.assignedCount(A)).isEqualTo(1);
        }

        @Test
        void updateCannotMoveADevice() {
            DeviceAssignment a = assignNew("dev-1", A);
            DeviceAssignment elsewhere = new DeviceAssignment(a.registrationId(), a.tenant(), B, a.idScope(),
                    a.globalEndpoint(), a.assignedHub(), a.deviceId(), a.state(), a.version(), a.createdAt(),
                    a.updatedAt());
            assertThatThrownBy(() -> store.update(elsewhere)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("move");
            assertThat(store.findAssignment("dev-1")).contains(a);
        }

        @Test
        void updateOfAnUnknownDeviceFails() {
            DeviceAssignment a = assignNew("dev-1", A);
            store.release("dev-1", a.version());
            assertThatThrownBy(() -> store.update(a)).isInstanceOf(DeviceNotFoundException.class)
                    .hasMessageContaining("dev-1");
            assertThat(store.findAssignment("dev-1")).isEmpty();
        }

        @Test
        void moveTransfersTheCountAtomically() {
            DeviceAssignment a = store.update(assignNew("dev-1", A).registered("hub", "dev-1"));
            AssignOutcome outcome = store.move("dev-1", a.version(), B);
            assertThat(outcome).isInstanceOf(AssignOutcome.Created.class);
            DeviceAssignment moved = ((AssignOutcome.Created) outcome).assignment();
            assertThat(moved.instanceId()).isEqualTo(B);
            assertThat(moved.idScope()).isEqualTo(store.findInstance(B).orElseThrow().idScope());
            assertThat(moved.assignedHub()).isEmpty();
            assertThat(moved.state()).isEqualTo(AssignmentState.ASSIGNED);
            assertThat(moved.version()).isEqualTo(a.version() + 1);
            assertThat(store.assignedCount(A)).isZero();
            assertThat(store.assignedCount(B)).isEqualTo(1);
            assertCountsMatchPaging();
        }

        @Test
        void moveToAFullOrInactiveInstanceChangesNothing() {
            for (int i = 0; i < 10; i++) {
                assignNew("full-" + i, SMALL);
            }
            DeviceAssignment a = assignNew("dev-1", A);
            assertThat(store.move("dev-1", a.version(), SMALL))
                    .isEqualTo(new AssignOutcome.Refused(SMALL, AssignOutcome.Reason.FULL));
            store.setInstanceState(B, InstanceState.DRAINING);
            assertThat(store.move("dev-1", a.version(), B))
                    .isEqualTo(new AssignOutcome.Refused(B, AssignOutcome.Reason.NOT_ACTIVE));
            assertThat(store.findAssignment("dev-1")).contains(a);
            assertThat(store.assignedCounts()).containsEntry(A, 1L).containsEntry(B, 0L).containsEntry(SMALL, 10L);
        }

        @Test
        void releaseRemovesTheRecordAndFreesTheCount() {
            DeviceAssignment a = assignNew("dev-1", A);
            assertThat(store.release("dev-1", a.version())).isTrue();
            assertThat(store.findAssignment("dev-1")).isEmpty();
            assertThat(store.assignedCount(A)).isZero();
            assertThat(store.release("dev-1", a.version())).as("second release").isFalse();
            assertThat(store.assignedCount(A)).isZero();
        }

        @Test
        void aReleasedDeviceCanBeAssignedAgain() {
            DeviceAssignment a = assignNew("dev-1", A);
            store.release("dev-1", a.version());
            DeviceAssignment again = assignNew("dev-1", B);
            assertThat(again.instanceId()).isEqualTo(B);
            assertThat(store.assignedCounts()).containsEntry(A, 0L).containsEntry(B, 1L);
        }
    }

    @Nested
    class ConditionalWrites {

        @Test
        void staleVersionIsRefusedByUpdate() {
            DeviceAssignment a = assignNew("dev-1", A);
            DeviceAssignment v2 = store.update(a.registered("hub-1", "dev-1"));
            assertThatThrownBy(() -> store.update(a.registered("hub-2", "dev-1")))
                    .isInstanceOf(ConcurrentUpdateException.class).hasMessageContaining("dev-1");
            assertThat(store.findAssignment("dev-1")).contains(v2);
        }

        @Test
        void staleVersionIsRefusedByMoveAndRelease() {
            DeviceAssignment a = assignNew("dev-1", A);
            DeviceAssignment v2 = store.update(a.withState(AssignmentState.REPROVISION_PENDING));
            assertThatThrownBy(() -> store.move("dev-1", a.version(), B)).isInstanceOf(ConcurrentUpdateException.class);
            assertThatThrownBy(() -> store.release("dev-1", a.version())).isInstanceOf(ConcurrentUpdateException.class);
            assertThat(store.findAssignment("dev-1")).contains(v2);
            assertThat(store.assignedCounts()).containsEntry(A, 1L).containsEntry(B, 0L);
        }

        @Test
        void concurrentUpdatesOfOneRecordLetExactlyOneWin() throws Exception {
            DeviceAssignment a = assignNew("dev-1", A);
            AtomicInteger wins = new AtomicInteger();
            AtomicInteger conflicts = new AtomicInteger();
            runConcurrently(contentionThreads(), t -> {
                try {
                    store.update(a.registered("hub-" + t, "dev-1"));
                    wins.incrementAndGet();
                } catch (ConcurrentUpdateException e) {
                    conflicts.incrementAndGet();
                }
            });
            assertThat(wins).hasValue(1);
            assertThat(conflicts).hasValue(contentionThreads() - 1);
            assertThat(store.findAssignment("dev-1").orElseThrow().version()).isEqualTo(a.version() + 1);
        }
    }

    @Nested
    class Idempotency {

        @Test
        void assigningTwiceReturnsTheFirstRecord() {
            DeviceAssignment first = assignNew("dev-1", A);
            AssignOutcome second = store.assign(NewAssignment.of("dev-1", A));
            assertThat(second).isEqualTo(new AssignOutcome.Existing(first));
            assertThat(store.assignedCount(A)).isEqualTo(1);
        }

        @Test
        void assigningToAnotherInstanceReturnsTheExistingOne() {
            DeviceAssignment first = assignNew("dev-1", A);
            assertThat(store.assign(NewAssignment.of("dev-1", B))).isEqualTo(new AssignOutcome.Existing(first));
            assertThat(store.assignedCounts()).containsEntry(A, 1L).containsEntry(B, 0L);
        }

        @Test
        void concurrentAssignsOfOneDeviceCreateOneRecord() throws Exception {
            Map<String, Integer> created = new ConcurrentHashMap<>();
            runConcurrently(contentionThreads(), t -> {
                AssignOutcome o = store.assign(NewAssignment.of("dev-1", t % 2 == 0 ? A : B));
                if (o instanceof AssignOutcome.Created c) {
                    created.merge(c.assignment().instanceId(), 1, Integer::sum);
                }
            });
            assertThat(created.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1);
            String winner = created.keySet().iterator().next();
            assertThat(store.findAssignment("dev-1").orElseThrow().instanceId()).isEqualTo(winner);
            assertThat(store.assignedCount(A) + store.assignedCount(B)).isEqualTo(1);
        }
    }

    @Nested
    class Contention {

        @Test
        void overlappingRequestsForManyDevicesKeepCountsExact() throws Exception {
            int devices = 2_000;
            runConcurrently(contentionThreads(), t -> {
                // Every thread walks every device, from a different starting point, so requests overlap.
                for (int i = 0; i < devices; i++) {
                    int d = (i + t * 137) % devices;
                    store.assign(NewAssignment.of("dev-" + d, d % 3 == 0 ? B : A));
                }
            });
            assertThat(store.assignedCount(A) + store.assignedCount(B)).isEqualTo(devices);
            for (int d = 0; d < devices; d++) {
                assertThat(store.findAssignment("dev-" + d)).as("dev-%d", d).isPresent();
            }
            assertCountsMatchPaging();
        }

        @Test
        void concurrentMovesAndReleasesKeepCountsExact() throws Exception {
            int devices = 600;
            for (int d = 0; d < devices; d++) {
                assignNew("dev-" + d, A);
            }
            runConcurrently(contentionThreads(), t -> {
                for (int d = t; d < devices; d += contentionThreads()) {
                    DeviceAssignment a = store.findAssignment("dev-" + d).orElseThrow();
                    if (d % 2 == 0) {
                        store.move(a.registrationId(), a.version(), B);
                    } else if (d % 3 == 0) {
                        store.release(a.registrationId(), a.version());
                    }
                }
            });
            long released = java.util.stream.IntStream.range(0, devices).filter(d -> d % 2 == 1 && d % 3 == 0).count();
            assertThat(store.assignedCount(B)).isEqualTo(devices / 2);
            assertThat(store.assignedCount(A)).isEqualTo(devices / 2 - released);
            assertCountsMatchPaging();
        }
    }

    @Nested
    class Capacity {

        @Test
        void aFullInstanceRefusesNewDevices() {
            for (int i = 0; i < 10; i++) {
                assignNew("dev-" + i, SMALL);
            }
            assertThat(store.assign(NewAssignment.of("dev-10", SMALL)))
                    .isEqualTo(new AssignOutcome.Refused(SMALL, AssignOutcome.Reason.FULL));
            assertThat(store.findAssignment("dev-10")).isEmpty();
            assertThat(store.assignedCount(SMALL)).isEqualTo(10);
        }

        @Test
        void raceForTheLastFreeSlotHasOneWinner() throws Exception {
            for (int i = 0; i < 9; i++) {
                assignNew("dev-" + i, SMALL);
            }
            AtomicInteger winners = new AtomicInteger();
            AtomicInteger full = new AtomicInteger();
            runConcurrently(contentionThreads(), t -> {
                AssignOutcome o = store.assign(NewAssignment.of("racer-" + t, SMALL));
                if (o instanceof AssignOutcome.Created) {
                    winners.incrementAndGet();
                } else if (o instanceof AssignOutcome.Refused r && r.reason() == AssignOutcome.Reason.FULL) {
                    full.incrementAndGet();
                }
            });
            assertThat(winners).hasValue(1);
            assertThat(full).hasValue(contentionThreads() - 1);
            assertThat(store.assignedCount(SMALL)).isEqualTo(10);
            assertCountsMatchPaging();
        }

        @Test
        void concurrentFillNeverExceedsCapacity() throws Exception {
            store.upsertInstance(instance("dps-mid", 250));
            runConcurrently(contentionThreads(), t -> {
                for (int i = 0; i < 40; i++) {
                    store.assign(NewAssignment.of("t" + t + "-" + i, "dps-mid"));
                }
            });
            assertThat(store.assignedCount("dps-mid")).isEqualTo(250);
            assertCountsMatchPaging();
        }

        @Test
        void loweringCapacityBelowTheCountKeepsDevicesButTakesNoMore() {
            for (int i = 0; i < 5; i++) {
                assignNew("dev-" + i, SMALL);
            }
            store.upsertInstance(instance(SMALL, 3));
            assertThat(store.assignedCount(SMALL)).isEqualTo(5);
            assertThat(store.assign(NewAssignment.of("dev-9", SMALL)))
                    .isEqualTo(new AssignOutcome.Refused(SMALL, AssignOutcome.Reason.FULL));
        }
    }

    @Nested
    class Drain {

        @Test
        void aDrainingInstanceKeepsItsDevicesAndTakesNoNewOnes() {
            DeviceAssignment a = assignNew("dev-1", A);
            DpsInstance drained = store.setInstanceState(A, InstanceState.DRAINING);
            assertThat(drained.state()).isEqualTo(InstanceState.DRAINING);
            assertThat(store.findInstance(A).orElseThrow().state()).isEqualTo(InstanceState.DRAINING);
            assertThat(store.findAssignment("dev-1")).contains(a);
            assertThat(store.assign(NewAssignment.of("dev-2", A)))
                    .isEqualTo(new AssignOutcome.Refused(A, AssignOutcome.Reason.NOT_ACTIVE));
            assertThat(store.assign(NewAssignment.of("dev-1", A))).isEqualTo(new AssignOutcome.Existing(a));
            assertThat(store.assignedCount(A)).isEqualTo(1);
        }

        @Test
        void drainingMovesEveryDevicePageByPage() {
            for (int i = 0; i < 250; i++) {
                assignNew(String.format("dev-%04d", i), A);
            }
            store.setInstanceState(A, InstanceState.DRAINING);
            List<String> seen = new ArrayList<>();
            Optional<String> after = Optional.empty();
            do {
                InventoryPage page = store.assignmentsOn(A, after, 64);
                assertThat(page.items().size()).isLessThanOrEqualTo(64);
                for (DeviceAssignment d : page.items()) {
                    seen.add(d.registrationId());
                    store.move(d.registrationId(), d.version(), B);
                }
                after = page.next();
            } while (after.isPresent());
            assertThat(seen).hasSize(250).isSorted().doesNotHaveDuplicates();
            assertThat(store.assignedCount(A)).isZero();
            assertThat(store.assignedCount(B)).isEqualTo(250);
            assertThat(store.assignmentsOn(A, Optional.empty(), 10).items()).isEmpty();
        }

        @Test
        void reactivatingAnInstanceLetsItTakeDevicesAgain() {
            store.setInstanceState(A, InstanceState.DISABLED);
            assertThat(store.assign(NewAssignment.of("dev-1", A))).isInstanceOf(AssignOutcome.Refused.class);
            store.setInstanceState(A, InstanceState.ACTIVE);
            assertThat(store.assign(NewAssignment.of("dev-1", A))).isInstanceOf(AssignOutcome.Created.class);
        }
    }

    @Nested
    class Deprovision {

        @Test
        void releasingHalfAFleetLeavesExactCounts() {
            List<DeviceAssignment> fleet = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                fleet.add(assignNew("dev-" + i, i % 2 == 0 ? A : B));
            }
            for (DeviceAssignment d : fleet.subList(0, 50)) {
                assertThat(store.release(d.registrationId(), d.version())).isTrue();
            }
            assertThat(store.assignedCount(A) + store.assignedCount(B)).isEqualTo(50);
            assertCountsMatchPaging();
        }

        @Test
        void concurrentReleasesOfOneDeviceFreeOneCount() throws Exception {
            DeviceAssignment a = assignNew("dev-1", A);
            assignNew("dev-2", A);
            AtomicInteger removed = new AtomicInteger();
            runConcurrently(contentionThreads(), t -> {
                if (store.release("dev-1", a.version())) {
                    removed.incrementAndGet();
                }
            });
            assertThat(removed).hasValue(1);
            assertThat(store.assignedCount(A)).isEqualTo(1);
        }
    }

    @Nested
    class LargeFleet {

        @Test
        void aLargeFleetIsStoredCountedAndPagedExactly() throws Exception {
            int size = largeFleetSize();
            int threads = 4;
            runConcurrently(threads, t -> {
                for (int i = t; i < size; i += threads) {
                    store.assign(NewAssignment.of(String.format("fleet-%07d", i), i % 4 == 0 ? B : A));
                }
            });
            assertThat(store.assignedCount(A) + store.assignedCount(B)).isEqualTo(size);
            assertThat(store.assignedCount(B)).isEqualTo((size + 3) / 4);
            Set<String> paged = new HashSet<>();
            Optional<String> after = Optional.empty();
            do {
                InventoryPage page = store.assignmentsOn(B, after, 5_000);
                page.items().forEach(d -> paged.add(d.registrationId()));
                after = page.next();
            } while (after.isPresent());
            assertThat(paged).hasSize((size + 3) / 4);
            assertThat(store.findAssignment(String.format("fleet-%07d", size - 1))).isPresent();
        }
    }

    @Nested
    class BadInput {

        @Test
        void idsAtTheLengthLimitWithEveryAllowedCharacterRoundTrip() {
            String allowed = "abcdefghijklmnopqrstuvwxyz0123456789-._:";
            StringBuilder id = new StringBuilder();
            while (id.length() < 127) {
                id.append(allowed.charAt(id.length() % allowed.length()));
            }
            id.append('z');
            DeviceAssignment a = assignNew(id.toString(), A);
            assertThat(a.registrationId()).hasSize(128).isEqualTo(id.toString());
            assertThat(store.findAssignment(id.toString())).contains(a);
            assertThat(store.assignmentsOn(A, Optional.empty(), 10).items()).containsExactly(a);
        }

        @Test
        void sqlAndQueryMetacharactersAreStoredVerbatim() {
            String tenant = "o'brien\"; DROP TABLE assignments; -- %_\\ {\"$where\":1} \u00e9\u4e2d";
            AssignOutcome o = store.assign(new NewAssignment("dev-1", A, Optional.of(tenant)));
            DeviceAssignment a = ((AssignOutcome.Created) o).assignment();
            DeviceAssignment stored = store.update(a.registered("hub'; --.azure-devices.net", "dev\"1'"));
            DeviceAssignment read = store.findAssignment("dev-1").orElseThrow();
            assertThat(read.tenant()).contains(tenant);
            assertThat(read.assignedHub()).contains("hub'; --.azure-devices.net");
            assertThat(read.deviceId()).contains("dev\"1'");
            assertThat(read).isEqualTo(stored);
            DpsInstance odd = DpsInstance.builder("dps-odd").idScope("0ne'--").region("west'; --")
                    .tenantPool("pool\"x").tags(Set.of("a'b", "c;d")).build();
            store.upsertInstance(odd);
            assertThat(store.findInstance("dps-odd")).contains(odd);
        }

        @Test
        void invalidOrUpperCaseIdsAreRefusedAndChangeNothing() {
            for (String bad : List.of("", "Dev-1", "dev/1", "dev 1", "a".repeat(129), "dev.")) {
                assertThatThrownBy(() -> store.assign(NewAssignment.of(bad, A)))
                        .as("id '%s'", bad).isInstanceOf(InvalidRequestException.class);
            }
            assertThat(store.assignedCount(A)).isZero();
            assertThat(store.assignmentsOn(A, Optional.empty(), 10).items()).isEmpty();
        }

        @Test
        void pageLimitsOutsideTheRangeAreRefused() {
            assertThatThrownBy(() -> store.assignmentsOn(A, Optional.empty(), 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.assignmentsOn(A, Optional.empty(), 10_001))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * Runs {@code task} on {@code threads} threads released together, and rethrows the first failure. Public so that
     * a store's own contention tests can use it too.
     */
    public static void runConcurrently(int threads, ThreadTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Void>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int index = t;
                Callable<Void> call = () -> {
                    start.await();
                    task.run(index);
                    return null;
                };
                futures.add(pool.submit(call));
            }
            start.countDown();
            for (Future<Void> f : futures) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Work done by one of the threads of {@link #runConcurrently}. */
    @FunctionalInterface
    public interface ThreadTask {
        void run(int threadIndex) throws Exception;
    }
}
