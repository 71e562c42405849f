package io.multiscope.store.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.cosmos.CosmosAsyncContainer;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.store.StoreException;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.store.cosmos.internal.CapacityGrants;
import io.multiscope.store.cosmos.internal.ChargeMeter;
import io.multiscope.store.cosmos.internal.CounterShards;
import io.multiscope.store.cosmos.internal.DeviceDocs;
import io.multiscope.store.cosmos.internal.Documents;
import io.multiscope.store.cosmos.internal.InstanceRegistry;
import io.multiscope.store.cosmos.internal.Marker;
import io.multiscope.store.cosmos.internal.Names;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Operations interrupted between their steps, as if the process had stopped there. Each scenario performs the first
 * steps with the store's own internal components, stops, and then lets a store with the same writer id (a restarted
 * process) repair it: the record and the counts must come out consistent, never counted twice or not at all.
 */
class InterruptedOperationsTest {

    private static final String WRITER = "westeurope-1";
    private static final Duration GRACE = Duration.ofMinutes(5);
    private static final String A = "dps-a";
    private static final String B = "dps-b";

    private final VirtualClock clock = VirtualClock.create();
    private CosmosAsyncContainer container;
    private CosmosInventoryStore store;
    /** The steps of an operation, done by hand. */
    private Documents docs;
    private CounterShards shards;
    private CapacityGrants grants;

    @BeforeEach
    void setUp() {
        container = CosmosBackend.LOCAL.newContainer("interrupted");
        store = restartedWriter();
        store.upsertInstance(DpsInstance.builder(A).idScope("0ne0000000A").region("westeurope").build());
        store.upsertInstance(DpsInstance.builder(B).idScope("0ne0000000B").region("westeurope").build());
        docs = new Documents(container, RetryHook.none(), new ChargeMeter(null));
        shards = new CounterShards(docs, WRITER, clock);
        grants = new CapacityGrants(new InstanceRegistry(docs, Duration.ZERO), shards, 100);
    }

    @AfterEach
    void cleanUp() {
        CosmosBackend.deleteQuietly(container);
    }

    private CosmosInventoryStore restartedWriter() {
        return writer(WRITER, clock);
    }

    private CosmosInventoryStore writer(String writerId, io.multiscope.core.time.Sleeper sleeper) {
        return CosmosInventoryStore.builder().container(container).writerId(writerId).clock(clock).sleeper(sleeper)
                .pendingGrace(GRACE).instanceCacheTtl(Duration.ZERO).build();
    }

    /** Step 1 of an assignment: the marked device document. */
    private String markNewAssignment(String id, String instanceId) {
        String op = Names.newOperationId();
        Instant now = clock.instant();
        DpsInstance instance = store.findInstance(instanceId).orElseThrow();
        DeviceAssignment record = DeviceDocs.placed(id, Optional.empty(), instance, 1, now, now);
        assertThat(docs.create(DeviceDocs.newAssignment(record, op, Marker.assign(op, WRITER, now.toEpochMilli())),
                id).ok()).isTrue();
        return op;
    }

    /** Step 1 of a release or move: the mark on an existing device. */
    private String mark(String id, Marker.Kind kind, String to) {
        String op = Names.newOperationId();
        DeviceDocs.View v = DeviceDocs.view(docs.read(id, id).orElseThrow());
        Marker m = switch (kind) {
            case RELEASE -> Marker.release(op, WRITER, clock.millis());
            case MOVE -> Marker.move(op, WRITER, clock.millis(), v.assignment().instanceId(), to);
            case ASSIGN -> throw new IllegalArgumentException();
        };
        assertThat(docs.replace(DeviceDocs.marked(v, op, m), id, v.etag()).ok()).isTrue();
        return op;
    }

    private DeviceAssignment assigned(String id, String instanceId) {
        return ((AssignOutcome.Created) store.assign(NewAssignment.of(id, instanceId))).assignment();
    }

    private ReconcileReport restartAfterGrace() {
        clock.advance(GRACE);
        store = restartedWriter();
        return store.reconcile();
    }

    @Test
    void assignmentStoppedBeforeItsCountIsRolledBack() {
        markNewAssignment("dev-1", A);
        assertThat(store.audit(A)).isEqualTo(new CountAudit(A, 0, 1, 1));
        assertThat(restartAfterGrace()).isEqualTo(new ReconcileReport(1, 0, 0, 0));
        assertThat(store.findAssignment("dev-1")).isEmpty();
        assertThat(store.assignedCount(A)).isZero();
        assertThat(assigned("dev-1", B).instanceId()).isEqualTo(B);
        assertThat(store.assignedCounts()).containsEntry(A, 0L).containsEntry(B, 1L);
    }

    @Test
    void assignmentStoppedAfterItsCountIsFinished() {
        String op = markNewAssignment("dev-1", A);
        assertThat(grants.reserve(A, op, "dev-1")).isEqualTo(CapacityGrants.Result.RESERVED);
        ReconcileReport report = restartAfterGrace();
        assertThat(report.operationsFinished()).isEqualTo(1);
        assertThat(report.journalEntriesCleared()).isEqualTo(1);
        DeviceAssignment d = store.findAssignment("dev-1").orElseThrow();
        assertThat(d.instanceId()).isEqualTo(A);
        assertThat(store.assignedCount(A)).isEqualTo(1);
        assertThat(store.assign(NewAssignment.of("dev-1", B))).isEqualTo(new AssignOutcome.Existing(d));
        assertThat(shards.read(A).journal()).isEmpty();
    }

    @Test
    void releaseStoppedBeforeItsCountKeepsTheDevice() {
        DeviceAssignment d = assigned("dev-1", A);
        mark("dev-1", Marker.Kind.RELEASE, null);
        restartAfterGrace();
        assertThat(store.findAssignment("dev-1")).contains(d);
        assertThat(store.assignedCount(A)).isEqualTo(1);
        assertThat(store.release("dev-1", d.version())).isTrue();
        assertThat(store.assignedCount(A)).isZero();
    }

    @Test
    void aReleaseMeetingItsWritersInterruptedReleaseRepairsItAndGoesOn() {
        DeviceAssignment d = assigned("dev-1", A);
        mark("dev-1", Marker.Kind.RELEASE, null);
        clock.advance(GRACE);
        assertThat(restartedWriter().release("dev-1", d.version())).isTrue();
        assertThat(store.findAssignment("dev-1")).isEmpty();
        assertThat(store.assignedCount(A)).isZero();
    }

    @Test
    void releaseStoppedAfterItsCountRemovesTheDevice() {
        assigned("dev-1", A);
        String op = mark("dev-1", Marker.Kind.RELEASE, null);
        shards.decrement(A, op, "dev-1");
        restartAfterGrace();
        assertThat(store.findAssignment("dev-1")).isEmpty();
        assertThat(store.assignedCount(A)).isZero();
    }

    @Test
    void moveStoppedBeforeTheTargetCountedItStaysOnTheSource() {
        DeviceAssignment d = assigned("dev-1", A);
        mark("dev-1", Marker.Kind.MOVE, B);
        restartAfterGrace();
        assertThat(store.findAssignment("dev-1")).contains(d);
        assertThat(store.assignedCounts()).containsEntry(A, 1L).containsEntry(B, 0L);
    }

    @Test
    void moveStoppedAfterTheTargetCountedItIsFinished() {
        DeviceAssignment d = assigned("dev-1", A);
        String op = mark("dev-1", Marker.Kind.MOVE, B);
        assertThat(grants.reserve(B, op, "dev-1")).isEqualTo(CapacityGrants.Result.RESERVED);
        restartAfterGrace();
        DeviceAssignment moved = store.findAssignment("dev-1").orElseThrow();
        assertThat(moved.instanceId()).isEqualTo(B);
        assertThat(moved.version()).isEqualTo(d.version() + 1);
        assertThat(store.assignedCounts()).containsEntry(A, 0L).containsEntry(B, 1L);
    }

    @Test
    void moveStoppedAfterBothCountsIsFinishedWithoutUncountingTwice() {
        assigned("dev-1", A);
        assigned("dev-2", A);
        String op = mark("dev-1", Marker.Kind.MOVE, B);
        assertThat(grants.reserve(B, op, "dev-1")).isEqualTo(CapacityGrants.Result.RESERVED);
        shards.decrement(A, op, "dev-1");
        restartAfterGrace();
        assertThat(store.findAssignment("dev-1").orElseThrow().instanceId()).isEqualTo(B);
        assertThat(store.assignedCounts()).containsEntry(A, 1L).containsEntry(B, 1L);
    }

    @Test
    void theWriterRepairsItsOwnInterruptedOperationWhenItMeetsIt() {
        String op = markNewAssignment("dev-1", A);
        grants.reserve(A, op, "dev-1");
        clock.advance(GRACE);
        // No reconcile: the next operation on the device finds the old mark of its own writer and finishes it.
        assertThat(restartedWriter().assign(NewAssignment.of("dev-1", B))).isInstanceOf(AssignOutcome.Existing.class);
        assertThat(store.assignedCounts()).containsEntry(A, 1L).containsEntry(B, 0L);
    }

    @Test
    void anotherWriterWaitsForAYoungMarkAndNamesTheOwnerOfAnOldOne() {
        markNewAssignment("dev-1", A);
        // The other writer waits in virtual time (its sleeper is the clock) and gives up: the owner may still run.
        CosmosInventoryStore eastus = writer("eastus-1", clock);
        assertThatThrownBy(() -> eastus.assign(NewAssignment.of("dev-1", B))).isInstanceOf(StoreException.class)
                .hasMessageContaining("busy").satisfies(e -> assertThat(((StoreException) e).isTransient()).isTrue());
        clock.advance(GRACE);
        assertThatThrownBy(() -> eastus.release("dev-1", 1)).isInstanceOf(StoreException.class)
                .hasMessageContaining("unfinished assignment").hasMessageContaining("'" + WRITER + "'")
                .hasMessageContaining("reconcile()");
        assertThat(eastus.assignedCounts()).containsEntry(A, 0L).containsEntry(B, 0L);
        eastus.close();
    }

    @Test
    void youngMarksAreLeftAloneAndFinishedJournalEntriesCleared() {
        // A process assigns five devices, starts a sixth and stops before clearing its journal entries.
        CosmosInventoryStore stopped = restartedWriter();
        for (int i = 0; i < 5; i++) {
            assertThat(stopped.assign(NewAssignment.of("dev-" + i, A))).isInstanceOf(AssignOutcome.Created.class);
        }
        markNewAssignment("dev-9", A);
        assertThat(shards.read(A).journal()).hasSize(5);

        store = restartedWriter();
        ReconcileReport early = store.reconcile();
        assertThat(early).as("all of it may still be running").isEqualTo(new ReconcileReport(0, 1, 0, 0));
        assertThat(store.findAssignment("dev-9")).isPresent();

        ReconcileReport later = restartAfterGrace();
        assertThat(later).isEqualTo(new ReconcileReport(1, 0, 5, 0));
        assertThat(shards.read(A).journal()).isEmpty();
        assertThat(store.findAssignment("dev-9")).isEmpty();
        assertThat(store.assignedCount(A)).isEqualTo(5);
    }

    @Test
    void aGrantLostToConflictResolutionIsWrittenAgain() {
        assigned("dev-1", A);
        // As if another region's version of the instance document, without this writer's grant, had won.
        replaceGrants(A, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        ReconcileReport report = store.reconcile();
        assertThat(report.grantsRestored()).isEqualTo(1);
        assertThat(grants(A).path(WRITER).asLong()).isEqualTo(shards.read(A).ceiling()).isPositive();
        assertThat(store.reconcile().grantsRestored()).isZero();
    }

    @Test
    void aLostGrantThatNoLongerFitsIsCutToWhatWasCountedAndTheOvershootShows() {
        store.upsertInstance(DpsInstance.builder("dps-small").idScope("0ne00000SML").region("westeurope")
                .capacity(10).build());
        for (int i = 0; i < 3; i++) {
            assigned("dev-" + i, "dps-small");
        }
        // The winning version: another region's writer took 8 of the 10 slots, believing them free.
        replaceGrants("dps-small", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("eastus-1", 8));
        assertThat(store.reconcile().grantsRestored()).isEqualTo(1);
        assertThat(shards.read("dps-small").ceiling()).as("cut to what was counted").isEqualTo(3);
        assertThat(grants("dps-small").path(WRITER).asLong()).isEqualTo(3);
        // 3 + 8 granted on 10 slots: this writer takes no more until the other gives back or devices leave.
        assertThat(store.assign(NewAssignment.of("dev-9", "dps-small")))
                .isEqualTo(new AssignOutcome.Refused("dps-small", AssignOutcome.Reason.FULL));
    }

    private com.fasterxml.jackson.databind.node.ObjectNode registryDocument(String instanceId) {
        return container.readItem(instanceId, new com.azure.cosmos.models.PartitionKey("|registry"),
                com.fasterxml.jackson.databind.node.ObjectNode.class).block().getItem();
    }

    private com.fasterxml.jackson.databind.JsonNode grants(String instanceId) {
        return registryDocument(instanceId).path("grants");
    }

    private void replaceGrants(String instanceId, com.fasterxml.jackson.databind.node.ObjectNode grants) {
        com.fasterxml.jackson.databind.node.ObjectNode doc = registryDocument(instanceId);
        doc.set("grants", grants);
        container.replaceItem(doc, instanceId, new com.azure.cosmos.models.PartitionKey("|registry"), null).block();
    }
}
