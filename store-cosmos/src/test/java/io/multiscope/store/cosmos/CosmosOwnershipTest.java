package io.multiscope.store.cosmos;

import static io.multiscope.testkit.InventoryStoreCompatibilityKit.runConcurrently;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipNotFoundException;
import io.multiscope.core.ownership.OwnershipOutcome;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.ownership.TransferRequest;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.ConcurrentUpdateException;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.store.StoreException;
import io.multiscope.core.time.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Cosmos DB ownership registry does beyond the contract: the documents it keeps in a device's partition, the
 * record as the truth for the newest transfer when its history copy is missing or wrong, removal interrupted half-way,
 * sharing the container with the inventory, and the requests each operation makes. The contract itself is checked by
 * {@link CosmosOwnershipRegistryTest}.
 */
class CosmosOwnershipTest {

    private static final int THREADS = 8;

    private final VirtualClock clock = VirtualClock.startingAt(Instant.parse("2026-05-01T08:00:00Z"));
    private final List<String> operations = new ArrayList<>();
    private final Map<String, Integer> requests = new ConcurrentHashMap<>();
    private CosmosAsyncContainer container;
    private CosmosInventoryStore store;
    private OwnershipRegistry registry;

    @BeforeEach
    void store() {
        container = CosmosBackend.LOCAL.newContainer("ownership");
        store = CosmosInventoryStore.builder().container(container).writerId("ownership-1").clock(clock)
                .requestChargeListener((operation, n, units) -> {
                    synchronized (operations) {
                        operations.add(operation);
                    }
                    requests.put(operation, n);
                }).build();
        registry = store.ownership();
    }

    @AfterEach
    void cleanUp() {
        if (store != null) {
            store.close();
        }
        CosmosBackend.deleteQuietly(container);
    }

    @Test
    void aTransferKeepsTheNewestEntryInTheRecordAndCopiesEachEntryIntoItsOwnDocument() {
        Ownership o = register("dev-1", "vendor");
        o = transfer(o, "customer-a", "dps-a");
        o = transfer(o, "customer-b", "dps-b");

        ObjectNode record = document("dev-1", "|ownership");
        assertThat(record.path("owner").asText()).isEqualTo("customer-b");
        assertThat(record.path("version").asLong()).isEqualTo(3);
        assertThat(record.path("last").path("seq").asLong()).isEqualTo(2);
        assertThat(record.path("last").path("to").asText()).isEqualTo("customer-b");
        String incarnation = record.path("inc").asText();
        List<ObjectNode> copies = transferDocuments("dev-1");
        assertThat(copies).extracting(d -> d.path("id").asText()).containsExactlyInAnyOrder(
                "|transfer|" + incarnation + "|1", "|transfer|" + incarnation + "|2");
        assertThat(copies).allSatisfy(d -> assertThat(d.path("pk").asText()).isEqualTo("dev-1"));

        assertThat(registry.history("dev-1")).extracting(OwnershipTransfer::sequence, OwnershipTransfer::fromOwner,
                OwnershipTransfer::toOwner, t -> t.toInstanceId().orElse(null)).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1L, "vendor", "customer-a", "dps-a"),
                        org.assertj.core.groups.Tuple.tuple(2L, "customer-a", "customer-b", "dps-b"));
    }

    @Test
    void theNewestEntryIsInTheHistoryEvenIfItsCopyWasNeverWrittenAndTheNextTransferWritesIt() {
        Ownership o = register("dev-1", "vendor");
        o = transfer(o, "customer-a", "dps-a");
        String incarnation = document("dev-1", "|ownership").path("inc").asText();
        // As if the process had stopped between the record's replace and the copy.
        container.deleteItem("|transfer|" + incarnation + "|1", new PartitionKey("dev-1")).block();

        assertThat(registry.history("dev-1")).extracting(OwnershipTransfer::toOwner).containsExactly("customer-a");

        transfer(o, "customer-b", "dps-b");
        assertThat(transferDocuments("dev-1")).hasSize(2);
        assertThat(registry.history("dev-1")).extracting(OwnershipTransfer::toOwner)
                .containsExactly("customer-a", "customer-b");
    }

    @Test
    void aCopyThatDisagreesWithTheRecordLosesToIt() {
        // As last-writer-wins can leave it when two regions transferred the same device at once: the record of one
        // transfer, the copy of the other.
        Ownership o = register("dev-1", "vendor");
        o = transfer(o, "customer-a", "dps-a");
        String id = "|transfer|" + document("dev-1", "|ownership").path("inc").asText() + "|1";
        ObjectNode copy = document("dev-1", id);
        copy.put("to", "customer-x");
        container.replaceItem(copy, id, new PartitionKey("dev-1"), null).block();

        assertThat(registry.history("dev-1")).extracting(OwnershipTransfer::toOwner).containsExactly("customer-a");
        transfer(o, "customer-b", "dps-b");
        assertThat(document("dev-1", id).path("to").asText()).isEqualTo("customer-a");
        assertThat(registry.history("dev-1")).extracting(OwnershipTransfer::toOwner)
                .containsExactly("customer-a", "customer-b");
    }

    @Test
    void aMissingOlderEntryIsReportedNotHidden() {
        Ownership o = register("dev-1", "vendor");
        o = transfer(o, "customer-a", "dps-a");
        transfer(o, "customer-b", "dps-b");
        String incarnation = document("dev-1", "|ownership").path("inc").asText();
        container.deleteItem("|transfer|" + incarnation + "|1", new PartitionKey("dev-1")).block();

        assertThatThrownBy(() -> registry.history("dev-1")).isInstanceOf(StoreException.class)
                .hasMessageContaining("'dev-1'").hasMessageContaining("lacks entry 1 of 2");
    }

    @Test
    void concurrentTransfersFromOneVersionHaveOneWinnerAndOneHistoryEntry() throws Exception {
        Ownership o = register("dev-1", "vendor");
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        Map<String, Boolean> winners = new ConcurrentHashMap<>();
        runConcurrently(THREADS, t -> {
            try {
                registry.transfer(new TransferRequest("dev-1", o.version(), "customer-" + t, Optional.empty(),
                        "admin-" + t));
                wins.incrementAndGet();
                winners.put("customer-" + t, true);
            } catch (ConcurrentUpdateException e) {
                conflicts.incrementAndGet();
            }
        });
        assertThat(wins).hasValue(1);
        assertThat(conflicts).hasValue(THREADS - 1);
        Ownership now = registry.find("dev-1").orElseThrow();
        assertThat(now.version()).isEqualTo(2);
        assertThat(winners).containsOnlyKeys(now.owner());
        assertThat(registry.history("dev-1")).singleElement()
                .satisfies(t -> assertThat(t.toOwner()).isEqualTo(now.owner()));
        assertThat(transferDocuments("dev-1")).hasSize(1);
    }

    @Test
    void concurrentRemovalsLeaveNoDocumentBehind() throws Exception {
        Ownership o = register("dev-1", "vendor");
        o = transfer(o, "customer-a", "dps-a");
        Ownership moved = transfer(o, "customer-b", "dps-b");
        AtomicInteger removed = new AtomicInteger();
        runConcurrently(THREADS, t -> {
            if (registry.remove("dev-1", moved.version())) {
                removed.incrementAndGet();
            }
        });
        assertThat(removed).hasValue(1);
        assertThat(partition("dev-1")).isEmpty();
    }

    @Test
    void aStaleVersionChangesNoDocument() {
        Ownership o = register("dev-1", "vendor");
        transfer(o, "customer-a", "dps-a");
        ObjectNode before = document("dev-1", "|ownership");

        assertThatThrownBy(() -> registry.transfer(new TransferRequest("dev-1", o.version(), "customer-b",
                Optional.empty(), "admin"))).isInstanceOf(ConcurrentUpdateException.class);
        assertThatThrownBy(() -> registry.update(o.withActiveInstance("dps-b")))
                .isInstanceOf(ConcurrentUpdateException.class);
        assertThatThrownBy(() -> registry.remove("dev-1", o.version())).isInstanceOf(ConcurrentUpdateException.class);
        assertThat(document("dev-1", "|ownership").path("_etag")).isEqualTo(before.path("_etag"));
        assertThat(transferDocuments("dev-1")).hasSize(1);
    }

    @Test
    void removalDeletesTheRecordAndItsHistoryAndANewRegistrationStartsAfresh() {
        Ownership o = register("dev-1", "vendor");
        o = transfer(o, "customer-a", "dps-a");
        assertThat(registry.remove("dev-1", o.version())).isTrue();
        assertThat(partition("dev-1")).isEmpty();
        assertThat(registry.remove("dev-1", o.version())).isFalse();

        Ownership again = register("dev-1", "vendor-2");
        assertThat(again.version()).isEqualTo(1);
        assertThat(registry.history("dev-1")).isEmpty();
    }

    @Test
    void anInterruptedRemovalCountsAsDoneAndTheNextRegistrationFinishesIt() {
        Ownership o = register("dev-1", "vendor");
        o = transfer(o, "customer-a", "dps-a");
        Ownership last = transfer(o, "customer-b", "dps-b");
        // As if the process had stopped right after writing the tombstone: the history is still there.
        ObjectNode record = document("dev-1", "|ownership");
        ObjectNode tombstone = record.objectNode().put("id", "|ownership").put("pk", "dev-1").put("kind", "ownership")
                .put("schema", 1).put("inc", record.path("inc").asText()).put("op", "o-interrupted")
                .put("removedBy", "o-interrupted");
        container.replaceItem(tombstone, "|ownership", new PartitionKey("dev-1"), null).block();

        assertThat(registry.find("dev-1")).isEmpty();
        assertThat(registry.history("dev-1")).isEmpty();
        assertThat(registry.ownedBy("customer-b", Optional.empty(), 10).items()).isEmpty();
        assertThatThrownBy(() -> registry.transfer(new TransferRequest("dev-1", 3, "customer-c", Optional.empty(),
                "admin"))).isInstanceOf(OwnershipNotFoundException.class);
        assertThatThrownBy(() -> registry.update(last))
                .isInstanceOf(OwnershipNotFoundException.class);

        Ownership again = register("dev-1", "vendor-2");
        assertThat(again.owner()).isEqualTo("vendor-2");
        assertThat(transferDocuments("dev-1")).isEmpty();
        Ownership moved = transfer(again, "customer-z", "dps-z");
        assertThat(registry.history("dev-1")).extracting(OwnershipTransfer::sequence, OwnershipTransfer::toOwner)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "customer-z"));
        assertThat(moved.version()).isEqualTo(2);
    }

    @Test
    void historyLeftByARemovedIncarnationIsNotTakenForTheNewRecords() {
        Ownership o = register("dev-1", "vendor");
        o = transfer(o, "customer-a", "dps-a");
        String oldIncarnation = document("dev-1", "|ownership").path("inc").asText();
        ObjectNode stray = document("dev-1", "|transfer|" + oldIncarnation + "|1");
        assertThat(registry.remove("dev-1", o.version())).isTrue();
        // Put back what an interrupted clean-up could have left behind.
        stray.remove(List.of("_rid", "_self", "_etag", "_ts", "_attachments"));
        container.createItem(stray, new PartitionKey("dev-1"), null).block();

        Ownership again = register("dev-1", "vendor");
        assertThat(registry.history("dev-1")).isEmpty();
        transfer(again, "customer-b", "dps-b");
        assertThat(registry.history("dev-1")).extracting(OwnershipTransfer::toOwner).containsExactly("customer-b");
    }

    @Test
    void ownershipSharesTheDevicePartitionWithoutDisturbingTheInventory() {
        store.upsertInstance(DpsInstance.builder("dps-a").idScope("0ne0000000A").region("westeurope").build());
        assertThat(store.assign(NewAssignment.of("dev-1", "dps-a"))).isInstanceOf(AssignOutcome.Created.class);
        Ownership o = register("dev-1", "vendor");
        transfer(o, "customer-a", "dps-a");

        assertThat(store.findAssignment("dev-1").orElseThrow().version()).isEqualTo(1);
        assertThat(store.assignmentsOn("dps-a", Optional.empty(), 10).items()).hasSize(1);
        CountAudit audit = store.audit("dps-a");
        assertThat(audit.counted()).isEqualTo(1);
        assertThat(audit.documents()).isEqualTo(1);
        assertThat(store.release("dev-1", 1)).isTrue();
        assertThat(registry.find("dev-1")).map(Ownership::owner).contains("customer-a");
        assertThat(registry.history("dev-1")).hasSize(1);
    }

    @Test
    void theRegistryCanLiveInAContainerOfItsOwn() {
        CosmosAsyncContainer own = CosmosBackend.LOCAL.newContainer("ownership-own");
        try {
            OwnershipRegistry apart = CosmosInventoryStore.builder().container(container).ownershipContainer(own)
                    .writerId("ownership-2").clock(clock).build().ownership();
            Ownership o = apart.register(NewOwnership.of("dev-9", "vendor")).ownership();
            apart.transfer(new TransferRequest("dev-9", o.version(), "customer-a", Optional.empty(), "admin"));

            assertThat(own.readAllItems(new PartitionKey("dev-9"), new CosmosQueryRequestOptions(), ObjectNode.class)
                    .collectList().block()).extracting(d -> d.path("kind").asText())
                    .containsExactlyInAnyOrder("ownership", "transfer");
            assertThat(partition("dev-9")).isEmpty();
            assertThat(registry.find("dev-9")).isEmpty();
            assertThat(apart.ownedBy("customer-a", Optional.empty(), 10).items()).hasSize(1);
        } finally {
            CosmosBackend.deleteQuietly(own);
        }
    }

    @Test
    void ownedByIsOneQueryThatSkipsTombstonesHistoryAndDevices() {
        store.upsertInstance(DpsInstance.builder("dps-a").idScope("0ne0000000A").region("westeurope").build());
        for (int i = 0; i < 25; i++) {
            Ownership o = register(String.format("dev-%02d", i), i % 2 == 0 ? "even" : "odd");
            store.assign(NewAssignment.of(o.registrationId(), "dps-a"));
            if (i % 5 == 0) {
                Ownership moved = transfer(o, "odd", "dps-a");
                registry.remove(moved.registrationId(), moved.version());
            }
        }
        List<String> odd = new ArrayList<>();
        Optional<String> after = Optional.empty();
        int pages = 0;
        do {
            operations.clear();
            var page = registry.ownedBy("odd", after, 4);
            assertThat(requests.get("ownership.ownedBy")).isEqualTo(1);
            page.items().forEach(o -> odd.add(o.registrationId()));
            after = page.next();
            pages++;
        } while (after.isPresent());
        assertThat(odd).containsExactly("dev-01", "dev-03", "dev-07", "dev-09", "dev-11", "dev-13", "dev-17",
                "dev-19", "dev-21", "dev-23");
        assertThat(pages).isEqualTo(3);
        assertThat(registry.ownedBy("even", Optional.of("dev-12"), 100).items()).extracting(Ownership::registrationId)
                .containsExactly("dev-14", "dev-16", "dev-18", "dev-22", "dev-24");
    }

    @Test
    void requestsPerOperation() {
        Ownership o = register("dev-1", "vendor");
        assertThat(requests).containsEntry("ownership.register", 1);
        registry.register(NewOwnership.of("dev-1", "other"));
        assertThat(requests).containsEntry("ownership.register", 2); // create (409), read
        registry.find("dev-1");
        assertThat(requests).containsEntry("ownership.find", 1);
        o = registry.update(o.withActiveInstance("dps-a"));
        assertThat(requests).containsEntry("ownership.update", 2); // read, replace
        o = transfer(o, "customer-a", "dps-a");
        assertThat(requests).containsEntry("ownership.transfer", 3); // read, replace, copy
        o = transfer(o, "customer-b", "dps-b");
        assertThat(requests).containsEntry("ownership.transfer", 4); // read, check previous copy, replace, copy
        registry.history("dev-1");
        assertThat(requests).containsEntry("ownership.history", 1);
        registry.remove("dev-1", o.version());
        assertThat(requests).containsEntry("ownership.remove", 6); // read, tombstone, partition, 2 copies, tombstone
    }

    @Test
    void badInputIsRefusedBeforeAnyRequest() {
        Ownership o = register("dev-1", "vendor");
        operations.clear();
        assertThatThrownBy(() -> registry.register(NewOwnership.of("Dev-2", "vendor")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> registry.register(NewOwnership.of("dev-2", "no spaces")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> registry.transfer(new TransferRequest("dev-1", 1, "a/b", Optional.empty(), "admin")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> registry.find("dev 1")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> registry.history("DEV-1")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> registry.remove("dev#1", 1)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> registry.ownedBy("vendor", Optional.empty(), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.ownedBy("", Optional.empty(), 10))
                .isInstanceOf(InvalidRequestException.class);
        assertThat(operations).isEmpty();
        assertThat(registry.find("dev-1")).contains(o);
        assertThat(registry.find("dev-2")).isEmpty();
    }

    @Test
    void anOwnershipDocumentOfANewerSchemaIsRefused() {
        register("dev-1", "vendor");
        ObjectNode record = document("dev-1", "|ownership");
        record.put("schema", 2);
        container.replaceItem(record, "|ownership", new PartitionKey("dev-1"), null).block();
        assertThatThrownBy(() -> registry.find("dev-1")).isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 2");
        assertThatThrownBy(() -> registry.register(NewOwnership.of("dev-1", "vendor")))
                .isInstanceOf(StoreException.class).hasMessageContaining("schema version 2");
    }

    private Ownership register(String id, String owner) {
        OwnershipOutcome outcome = registry.register(NewOwnership.of(id, owner));
        assertThat(outcome).isInstanceOf(OwnershipOutcome.Created.class);
        return outcome.ownership();
    }

    private Ownership transfer(Ownership o, String owner, String instance) {
        clock.advance(Duration.ofMinutes(1));
        Ownership after = registry.transfer(new TransferRequest(o.registrationId(), o.version(), owner,
                Optional.of(instance), "admin"));
        assertThat(after.version()).isEqualTo(o.version() + 1);
        return after;
    }

    private ObjectNode document(String partition, String id) {
        return container.readItem(id, new PartitionKey(partition), ObjectNode.class).block().getItem();
    }

    private List<ObjectNode> partition(String partition) {
        return container.readAllItems(new PartitionKey(partition), new CosmosQueryRequestOptions(), ObjectNode.class)
                .collectList().block();
    }

    private List<ObjectNode> transferDocuments(String partition) {
        return partition(partition).stream().filter(d -> "transfer".equals(d.path("kind").asText())).toList();
    }
}
