package io.multiscope.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.multiscope.core.DpsInstance;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.NewAssignment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreTest {

    @TempDir
    Path directory;

    @Test
    void aSecondRunSeesTheFleetOfTheFirst() {
        Path file = directory.resolve("inventory");
        DpsInstance instance = DpsInstance.builder("dps-a").idScope("0ne0001A1B2").region("westeurope").build();
        AssignOutcome first;
        try (JdbcInventoryStore store = JdbcInventoryStore.embedded(file).build()) {
            assertThat(store.dialect()).isEqualTo(JdbcDialect.H2);
            store.upsertInstance(instance);
            first = store.assign(NewAssignment.of("dev-1", "dps-a"));
            assertThat(first).isInstanceOf(AssignOutcome.Created.class);
        }
        assertThat(Files.exists(directory.resolve("inventory.mv.db"))).isTrue();
        try (JdbcInventoryStore store = JdbcInventoryStore.embedded(file).build()) {
            assertThat(store.findInstance("dps-a")).contains(instance);
            assertThat(store.assign(NewAssignment.of("dev-1", "dps-a")))
                    .isEqualTo(new AssignOutcome.Existing(((AssignOutcome.Created) first).assignment()));
            assertThat(store.assignedCount("dps-a")).isEqualTo(1);
        }
    }
}
