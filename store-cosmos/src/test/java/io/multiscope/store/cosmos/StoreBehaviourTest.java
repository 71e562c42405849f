package io.multiscope.store.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.store.StoreException;
import io.multiscope.core.time.VirtualClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Input the store refuses, documents it will not read, and how it is built. */
class StoreBehaviourTest {

    private final VirtualClock clock = VirtualClock.create();
    private final List<String> operations = new ArrayList<>();
    private final List<Integer> requests = new ArrayList<>();
    private CosmosAsyncContainer container;
    private CosmosInventoryStore store;

    @BeforeEach
    void store() {
        container = CosmosBackend.LOCAL.newContainer("behaviour");
        store = CosmosInventoryStore.builder().container(container).writerId("behaviour-1").clock(clock)
                .instanceCacheTtl(java.time.Duration.ofMinutes(1)).requestChargeListener((operation, n, units) -> {
                    operations.add(operation);
                    requests.add(n);
                }).build();
        store.upsertInstance(DpsInstance.builder("dps-a").idScope("0ne0000000A").region("westeurope").build());
    }

    @AfterEach
    void cleanUp() {
        if (store != null) {
            store.close();
        }
        CosmosBackend.deleteQuietly(container);
    }

    @Test
    void aDeviceDocumentOfANewerSchemaIsRefusedAndLeftAlone() {
        ObjectNode future = JsonNodeFactory.instance.objectNode().put("id", "dev-1").put("pk", "dev-1")
                .put("kind", "device").put("schema", 2).put("instance", "dps-a").put("newField", "x");
        container.createItem(future, new PartitionKey("dev-1"), null).block();

        assertThatThrownBy(() -> store.findAssignment("dev-1")).isInstanceOf(StoreException.class)
                .hasMessageContaining("'dev-1'").hasMessageContaining("schema version 2")
                .hasMessageContaining("reads versions up to 1")
                .satisfies(e -> assertThat(((StoreException) e).isTransient()).isFalse());
        assertThatThrownBy(() -> store.assign(NewAssignment.of("dev-1", "dps-a")))
                .isInstanceOf(StoreException.class).hasMessageContaining("schema version 2");
        assertThat(store.assignedCount("dps-a")).isZero();
        ObjectNode stored = container.readItem("dev-1", new PartitionKey("dev-1"), ObjectNode.class).block().getItem();
        assertThat(stored.get("newField").asText()).isEqualTo("x");
    }

    @Test
    void anInstanceDocumentOfANewerSchemaIsRefused() {
        ObjectNode future = JsonNodeFactory.instance.objectNode().put("id", "dps-new").put("pk", "|registry")
                .put("kind", "instance").put("schema", 7);
        container.createItem(future, new PartitionKey("|registry"), null).block();
        assertThatThrownBy(() -> store.findInstance("dps-new")).isInstanceOf(StoreException.class)
                .hasMessageContaining("'dps-new'").hasMessageContaining("schema version 7");
    }

    @Test
    void oversizeAttributesAreRefusedBeforeAnyRequest() {
        operations.clear();
        requests.clear();
        assertThatThrownBy(() -> store.assign(new NewAssignment("dev-1", "dps-a", Optional.of("t".repeat(257)))))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                    assertThat(e.problemType()).isEqualTo("attribute-too-long");
                    assertThat(e.getMessage()).contains("tenant").contains("257").contains("256");
                    assertThat(e.registrationId()).contains("dev-1");
                });
        assertThatThrownBy(() -> store.upsertInstance(DpsInstance.builder("dps-b").idScope("0ne0000000B")
                .region("r".repeat(300)).build())).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("region");
        assertThat(requests).as("requests made by the refused calls").allMatch(n -> n == 0);

        DeviceAssignment a = ((AssignOutcome.Created) store.assign(NewAssignment.of("dev-1", "dps-a"))).assignment();
        assertThatThrownBy(() -> store.update(a.registered("h".repeat(300) + ".azure-devices.net", "dev-1")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("assigned hub");
        assertThatThrownBy(() -> store.update(a.registered("hub-1", "d".repeat(129))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("device id");
        assertThat(store.findAssignment("dev-1")).contains(a);
        assertThat(store.findInstance("dps-b")).isEmpty();
    }

    @Test
    void everyOperationReportsItsRequestsAndCharge() {
        store.assign(NewAssignment.of("dev-0", "dps-a")); // the first one also takes a capacity grant
        operations.clear();
        requests.clear();
        store.assign(NewAssignment.of("dev-1", "dps-a"));
        store.assign(NewAssignment.of("dev-1", "dps-a"));
        store.findAssignment("dev-1");
        assertThat(operations).containsExactly("assign", "assign", "findAssignment");
        // create the marked record, count it in the shard, drop the mark; then create (409) and read theirs.
        assertThat(requests).containsExactly(3, 2, 1);
    }

    @Test
    void theBuilderExplainsWhatIsMissingOrWrong() {
        assertThatThrownBy(() -> CosmosInventoryStore.builder().writerId("w").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("container is required");
        assertThatThrownBy(() -> CosmosInventoryStore.builder().container(container).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("writerId is required");
        assertThatThrownBy(() -> CosmosInventoryStore.builder().writerId("west europe"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writerId");
        assertThatThrownBy(() -> CosmosInventoryStore.builder()
                .container(container.getDatabase().getContainer("no-such-container")).writerId("w").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist")
                .hasMessageContaining("CosmosContainers.createIfNotExists");
        container.getDatabase().createContainerIfNotExists(new CosmosContainerProperties("by-id", "/id")).block();
        try {
            assertThatThrownBy(() -> CosmosInventoryStore.builder()
                    .container(container.getDatabase().getContainer("by-id")).writerId("w").build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[/id]")
                    .hasMessageContaining("/pk");
        } finally {
            CosmosBackend.deleteQuietly(container.getDatabase().getContainer("by-id"));
        }
    }
}
