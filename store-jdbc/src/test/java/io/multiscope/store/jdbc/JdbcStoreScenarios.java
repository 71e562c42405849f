package io.multiscope.store.jdbc;

import io.multiscope.testkit.InventoryStoreCompatibilityKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.InvalidRequestException;
import io.multiscope.core.ownership.ClaimCode;
import io.multiscope.core.ownership.NewOwnership;
import io.multiscope.core.ownership.Ownership;
import io.multiscope.core.ownership.OwnershipOutcome;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.ownership.OwnershipTransfer;
import io.multiscope.core.ownership.TransferRequest;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.InventoryPage;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.store.StoreException;
import io.multiscope.core.time.VirtualClock;
import io.multiscope.spi.InstanceState;
import io.multiscope.store.jdbc.backends.InstantRetry;
import io.multiscope.store.jdbc.backends.TestDatabase;
import io.multiscope.store.jdbc.internal.Dialect;
import io.multiscope.store.jdbc.internal.SchemaMigrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What the JDBC store promises beyond the inventory contract, checked on each real database: exact counts under
 * heavy contention, no half-done transaction after a killed connection, schema upgrades with data, counter shards,
 * and input the columns cannot hold.
 */
abstract class JdbcStoreScenarios {

    protected abstract TestDatabase database();

    protected VirtualClock clock;
    protected JdbcInventoryStore store;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void openStore() {
        database().clear();
        clock = VirtualClock.create();
        store = builder(database().shared()).build();
    }

    @AfterEach
    void closeResources() throws Exception {
        store.close();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    JdbcInventoryStore.Builder builder(DataSource dataSource) {
        return JdbcInventoryStore.builder(dataSource).clock(clock).retry(InstantRetry.create());
    }

    static DpsInstance instance(String id, long capacity) {
        return DpsInstance.builder(id).idScope("0ne" + Math.abs(id.hashCode() % 100_000)).region("westeurope")
                .capacity(capacity).build();
    }

    DeviceAssignment assigned(String registrationId, String instanceId) {
        AssignOutcome o = store.assign(NewAssignment.of(registrationId, instanceId));
        assertThat(o).as("assign %s to %s", registrationId, instanceId).isInstanceOf(AssignOutcome.Created.class);
        return ((AssignOutcome.Created) o).assignment();
    }

    long queryLong(DataSource dataSource, String sql, Object... parameters) {
        try (Connection c = dataSource.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                p.setObject(i + 1, parameters[i]);
            }
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    long historyRows(String registrationId) {
        return queryLong(database().shared(),
                "SELECT COUNT(*) FROM multiscope_ownership_transfer WHERE registration_id = ?", registrationId);
    }

    long rowsOn(String instanceId) {
        return queryLong(database().shared(), "SELECT COUNT(*) FROM multiscope_assignment WHERE instance_id = ?",
                instanceId);
    }

    long shardSum(String instanceId) {
        return queryLong(database().shared(),
                "SELECT COALESCE(SUM(assigned), 0) FROM multiscope_instance_counter WHERE instance_id = ?", instanceId);
    }

    @Test
    void detectsTheDatabaseDialect() {
        assertThat(store.dialect()).isEqualTo(database().dialect());
        assertThat(store.schemaVersion()).isEqualTo(JdbcInventoryStore.supportedSchemaVersion());
    }

    /** Pools configured without auto-commit (common with MariaDB) get the same behaviour. */
    @Test
    void worksTheSameOnAPoolWithoutAutoCommit() {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(database().shared().getJdbcUrl());
        config.setAutoCommit(false);
        config.setMaximumPoolSize(4);
        var pool = new com.zaxxer.hikari.HikariDataSource(config);
        toClose.add(pool);
        JdbcInventoryStore manual = builder(pool).build();
        manual.upsertInstance(instance("dps-a", 3));
        manual.upsertInstance(instance("dps-b", 3));
        for (int i = 0; i < 3; i++) {
            assertThat(manual.assign(NewAssignment.of("dev-" + i, "dps-a"))).isInstanceOf(AssignOutcome.Created.class);
        }
        assertThat(manual.assign(NewAssignment.of("dev-9", "dps-a")))
                .isEqualTo(new AssignOutcome.Refused("dps-a", AssignOutcome.Reason.FULL));
        DeviceAssignment d = manual.findAssignment("dev-0").orElseThrow();
        assertThat(manual.move("dev-0", d.version(), "dps-b")).isInstanceOf(AssignOutcome.Created.class);
        assertThat(manual.assign(NewAssignment.of("dev-0", "dps-a"))).isInstanceOf(AssignOutcome.Existing.class);
        assertThat(manual.release("dev-1", 1)).isTrue();
        assertThat(store.assignedCounts()).as("as seen through another pool")
                .containsEntry("dps-a", 1L).containsEntry("dps-b", 1L);
        assertThat(rowsOn("dps-a")).isEqualTo(1);

        OwnershipRegistry registry = manual.ownership();
        Ownership v1 = ((OwnershipOutcome.Created) registry.register(NewOwnership.of("dev-0", "vendor"))).ownership();
        assertThat(registry.register(NewOwnership.of("dev-0", "contoso"))).isEqualTo(new OwnershipOutcome.Existing(v1));
        Ownership v2 = registry.update(v1.withActiveInstance("dps-a"));
        Ownership v3 = registry.transfer(new TransferRequest("dev-0", v2.version(), "contoso", Optional.of("dps-b"),
                "admin"));
        assertThatThrownBy(() -> registry.transfer(new TransferRequest("dev-0", v2.version(), "fabrikam",
                Optional.empty(), "admin"))).isInstanceOf(io.multiscope.core.store.ConcurrentUpdateException.class);
        assertThat(store.ownership().find("dev-0")).as("as seen through another pool").contains(v3);
        assertThat(store.ownership().history("dev-0")).hasSize(1);
        assertThat(registry.remove("dev-0", v3.version())).isTrue();
        assertThat(store.ownership().find("dev-0")).isEmpty();
        assertThat(historyRows("dev-0")).isZero();
    }

    @Nested
    class Contention {

        /**
         * 32 threads ask for the same 5,000 devices, each device four times from different threads; devices prefer
         * c-0 or c-1 and spill to the next instance when one is full. Capacities force the final counts exactly.
         */
        @Test
        void thirtyTwoThreadsAssigningFiveThousandDevicesCreateEachExactlyOnce() throws Exception {
            List<String> ids = List.of("c-0", "c-1", "c-2");
            for (String id : ids) {
                store.upsertInstance(instance(id, 2_000));
            }
            int devices = 5_000;
            int threads = 32;
            int window = devices * 4 / threads;
            AtomicInteger created = new AtomicInteger();
            InventoryStoreCompatibilityKit.runConcurrently(threads, t -> {
                for (int i = 0; i < window; i++) {
                    int d = (t * devices / threads + i) % devices;
                    for (int choice = d % 2; choice < ids.size(); choice++) {
                        AssignOutcome o = store.assign(NewAssignment.of("device-" + d, ids.get(choice)));
                        if (o instanceof AssignOutcome.Created) {
                            created.incrementAndGet();
                        }
                        if (!(o instanceof AssignOutcome.Refused)) {
                            break;
                        }
                    }
                }
            });
            assertThat(created).hasValue(devices);
            assertThat(queryLong(database().shared(), "SELECT COUNT(*) FROM multiscope_assignment")).isEqualTo(devices);
            Map<String, Long> counts = store.assignedCounts();
            for (String id : ids) {
                assertThat(counts.get(id)).as("count of %s", id).isEqualTo(rowsOn(id)).isEqualTo(shardSum(id))
                        .isLessThanOrEqualTo(2_000);
            }
            assertThat(counts).containsEntry("c-0", 2_000L).containsEntry("c-1", 2_000L).containsEntry("c-2", 1_000L);
        }
    }

    @Nested
    class CrashSafety {

        private final AtomicBoolean killed = new AtomicBoolean();

        @AfterEach
        void theConnectionWasKilled() {
            assertThat(killed).as("the hook killed the transaction's connection").isTrue();
        }

        /**
         * On PostgreSQL a new device is normally assigned by one statement that commits by itself, which has no
         * middle to break; these stores take the transaction of several statements that it falls back to.
         */
        private JdbcInventoryStore storeKillingOnce(String operation, TransientRetry retry) {
            return builder(database().shared()).retry(retry).singleStatementAssign(false)
                    .midTransactionHook((op, connection) -> {
                        if (op.equals(operation) && killed.compareAndSet(false, true)) {
                            database().kill(connection);
                        }
                    }).build();
        }

        @Test
        void aConnectionKilledDuringAssignLeavesNoHalfAssignment() {
            store.upsertInstance(instance("dps-a", 100));
            try (JdbcInventoryStore crashing = storeKillingOnce("assign", TransientRetry.none())) {
                assertThatThrownBy(() -> crashing.assign(NewAssignment.of("dev-1", "dps-a")))
                        .isInstanceOfSatisfying(StoreException.class, e -> {
                            assertThat(e.isTransient()).as("transient: %s", e.getMessage()).isTrue();
                            assertThat(e.registrationId()).contains("dev-1");
                            assertThat(e.instanceId()).contains("dps-a");
                        });
            }
            assertThat(store.findAssignment("dev-1")).isEmpty();
            assertThat(rowsOn("dps-a")).isZero();
            assertThat(shardSum("dps-a")).isZero();
            assertThat(store.assignedCount("dps-a")).isZero();
        }

        @Test
        void anAssignCutOffByAKilledConnectionIsRetriedIntoExactlyOneAssignment() {
            store.upsertInstance(instance("dps-a", 100));
            try (JdbcInventoryStore crashing = storeKillingOnce("assign", InstantRetry.create())) {
                assertThat(crashing.assign(NewAssignment.of("dev-1", "dps-a")))
                        .isInstanceOf(AssignOutcome.Created.class);
            }
            assertThat(rowsOn("dps-a")).isEqualTo(1);
            assertThat(shardSum("dps-a")).isEqualTo(1);
        }

        @Test
        void aConnectionKilledDuringMoveLeavesDeviceAndCountsWhereTheyWere() {
            store.upsertInstance(instance("dps-a", 100));
            store.upsertInstance(instance("dps-b", 100));
            DeviceAssignment a = assigned("dev-1", "dps-b");
            try (JdbcInventoryStore crashing = storeKillingOnce("move", TransientRetry.none())) {
                assertThatThrownBy(() -> crashing.move("dev-1", a.version(), "dps-a"))
                        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.isTransient()).isTrue());
            }
            assertThat(store.findAssignment("dev-1")).contains(a);
            assertThat(shardSum("dps-a")).isZero();
            assertThat(shardSum("dps-b")).isEqualTo(1);
        }

        @Test
        void aConnectionKilledDuringATransferLeavesOwnerAndHistoryAsTheyWere() {
            OwnershipRegistry registry = store.ownership();
            Ownership v1 = ((OwnershipOutcome.Created) registry.register(new NewOwnership("dev-1", "vendor",
                    Optional.of("dps-factory"), Optional.empty()))).ownership();
            Ownership v2 = registry.transfer(new TransferRequest("dev-1", v1.version(), "contoso",
                    Optional.of("dps-c"), "admin"));
            try (JdbcInventoryStore crashing = storeKillingOnce("transfer ownership", TransientRetry.none())) {
                assertThatThrownBy(() -> crashing.ownership().transfer(new TransferRequest("dev-1", v2.version(),
                        "fabrikam", Optional.empty(), "admin"))).isInstanceOfSatisfying(StoreException.class, e -> {
                            assertThat(e.isTransient()).as("transient: %s", e.getMessage()).isTrue();
                            assertThat(e.registrationId()).contains("dev-1");
                        });
            }
            assertThat(registry.find("dev-1")).contains(v2);
            assertThat(registry.history("dev-1")).extracting(OwnershipTransfer::toOwner).containsExactly("contoso");
            assertThat(historyRows("dev-1")).isEqualTo(1);
        }

        @Test
        void aTransferCutOffByAKilledConnectionIsRetriedIntoExactlyOneEntry() {
            OwnershipRegistry registry = store.ownership();
            Ownership v1 = ((OwnershipOutcome.Created) registry.register(NewOwnership.of("dev-1", "vendor")))
                    .ownership();
            try (JdbcInventoryStore crashing = storeKillingOnce("transfer ownership", InstantRetry.create())) {
                Ownership v2 = crashing.ownership().transfer(new TransferRequest("dev-1", v1.version(), "contoso",
                        Optional.empty(), "admin"));
                assertThat(v2.version()).isEqualTo(2);
            }
            assertThat(registry.history("dev-1")).extracting(OwnershipTransfer::sequence, OwnershipTransfer::toOwner)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "contoso"));
            assertThat(historyRows("dev-1")).isEqualTo(1);
        }

        @Test
        void aConnectionKilledDuringRemoveKeepsTheDeviceAndItsHistory() {
            OwnershipRegistry registry = store.ownership();
            Ownership v1 = ((OwnershipOutcome.Created) registry.register(NewOwnership.of("dev-1", "vendor")))
                    .ownership();
            Ownership v2 = registry.transfer(new TransferRequest("dev-1", v1.version(), "contoso", Optional.empty(),
                    "admin"));
            try (JdbcInventoryStore crashing = storeKillingOnce("remove ownership", TransientRetry.none())) {
                assertThatThrownBy(() -> crashing.ownership().remove("dev-1", v2.version()))
                        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.isTransient()).isTrue());
            }
            assertThat(registry.find("dev-1")).contains(v2);
            assertThat(historyRows("dev-1")).isEqualTo(1);
        }

        @Test
        void aConnectionKilledDuringReleaseKeepsTheDeviceAndItsCount() {
            store.upsertInstance(instance("dps-a", 100));
            DeviceAssignment a = assigned("dev-1", "dps-a");
            try (JdbcInventoryStore crashing = storeKillingOnce("release", TransientRetry.none())) {
                assertThatThrownBy(() -> crashing.release("dev-1", a.version()))
                        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.isTransient()).isTrue());
            }
            assertThat(store.findAssignment("dev-1")).contains(a);
            assertThat(shardSum("dps-a")).isEqualTo(1);
        }
    }

    @Nested
    class SchemaUpgrade {

        private static final int LATEST = 3;

        @Test
        void theLatestVersionIsTheOneTheseTestsUpgradeTo() {
            assertThat(JdbcInventoryStore.supportedSchemaVersion()).isEqualTo(LATEST);
        }

        private DataSource freshDatabase(String name) {
            var pool = database().fresh(name);
            toClose.add(pool);
            return pool;
        }

        private void insertV1Instance(Connection c, Dialect dialect, DpsInstance i, long assignedCount)
                throws SQLException {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO multiscope_instance (instance_id, id_scope, "
                    + "global_endpoint, region, tenant_pool, tags, weight, state, capacity, registrations_per_minute, "
                    + "assigned_count, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, i.id());
                p.setString(2, i.idScope());
                p.setString(3, i.globalEndpoint());
                p.setString(4, i.region());
                p.setString(5, i.tenantPool().orElse(null));
                p.setString(6, String.join(",", new java.util.TreeSet<>(i.tags())));
                p.setInt(7, i.weight());
                p.setString(8, i.state().name());
                p.setLong(9, i.capacity());
                p.setInt(10, i.registrationsPerMinute());
                p.setLong(11, assignedCount);
                dialect.setInstant(p, 12, Instant.parse("2025-06-01T00:00:00Z"));
                p.executeUpdate();
            }
        }

        private void insertV1Device(Connection c, Dialect dialect, String id, DpsInstance on, String hub)
                throws SQLException {
            try (PreparedStatement p = c.prepareStatement("INSERT INTO multiscope_assignment (registration_id, tenant, "
                    + "instance_id, id_scope, global_endpoint, assigned_hub, device_id, state, version, created_at, "
                    + "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, id);
                p.setString(2, "tenant-" + id);
                p.setString(3, on.id());
                p.setString(4, on.idScope());
                p.setString(5, on.globalEndpoint());
                p.setString(6, hub);
                p.setString(7, hub == null ? null : id);
                p.setString(8, hub == null ? "ASSIGNED" : "REGISTERED");
                p.setLong(9, 3);
                dialect.setInstant(p, 10, Instant.parse("2025-06-01T10:00:00.123456Z"));
                dialect.setInstant(p, 11, Instant.parse("2025-06-02T10:00:00Z"));
                p.executeUpdate();
            }
        }

        @Test
        void aVersionOneDatabaseWithDataIsUpgradedWithItsDataIntact() throws SQLException {
            DataSource old = freshDatabase("upgrade_v1");
            Dialect dialect = Dialect.of(database().dialect());
            assertThat(new SchemaMigrator(old, dialect, clock).migrateTo(1)).containsExactly(1);
            DpsInstance roomy = DpsInstance.builder("dps-old-a").idScope("0ne0000OLD1").region("westeurope")
                    .tenantPool("contoso").tags(Set.of("eu", "gold")).capacity(100).build();
            DpsInstance full = DpsInstance.builder("dps-old-b").idScope("0ne0000OLD2").region("eastus")
                    .state(InstanceState.ACTIVE).capacity(5).build();
            try (Connection c = old.getConnection()) {
                insertV1Instance(c, dialect, roomy, 3);
                insertV1Instance(c, dialect, full, 5);
                for (int i = 0; i < 3; i++) {
                    insertV1Device(c, dialect, "old-a-" + i, roomy, i == 0 ? "hub-1.azure-devices.net" : null);
                }
                for (int i = 0; i < 5; i++) {
                    insertV1Device(c, dialect, "old-b-" + i, full, null);
                }
            }

            JdbcInventoryStore upgraded = builder(old).counterShards(4).build();
            toClose.add(upgraded);

            assertThat(upgraded.schemaVersion()).isEqualTo(LATEST);
            assertThat(queryLong(old, "SELECT COUNT(*) FROM multiscope_schema_version")).isEqualTo(LATEST);
            assertThat(upgraded.instances()).containsExactly(roomy, full);
            assertThat(upgraded.assignedCounts()).containsEntry("dps-old-a", 3L).containsEntry("dps-old-b", 5L);
            assertThat(queryLong(old, "SELECT COUNT(*) FROM multiscope_instance_counter WHERE instance_id = ?",
                    "dps-old-a")).as("counter rows re-spread to the configured shards").isEqualTo(4);
            DeviceAssignment registered = upgraded.findAssignment("old-a-0").orElseThrow();
            assertThat(registered.assignedHub()).contains("hub-1.azure-devices.net");
            assertThat(registered.tenant()).contains("tenant-old-a-0");
            assertThat(registered.version()).isEqualTo(3);
            assertThat(registered.createdAt()).isEqualTo(Instant.parse("2025-06-01T10:00:00.123456Z"));

            // The upgraded inventory works as a current one: the full instance stays full, moves count exactly.
            assertThat(upgraded.assign(NewAssignment.of("new-b", "dps-old-b")))
                    .isEqualTo(new AssignOutcome.Refused("dps-old-b", AssignOutcome.Reason.FULL));
            DeviceAssignment b0 = upgraded.findAssignment("old-b-0").orElseThrow();
            assertThat(upgraded.move("old-b-0", b0.version(), "dps-old-a")).isInstanceOf(AssignOutcome.Created.class);
            assertThat(upgraded.assign(NewAssignment.of("new-b", "dps-old-b"))).isInstanceOf(AssignOutcome.Created.class);
            assertThat(upgraded.assignedCounts()).containsEntry("dps-old-a", 4L).containsEntry("dps-old-b", 5L);
            assertThat(upgraded.assignmentsOn("dps-old-a", Optional.empty(), 10).items())
                    .extracting(DeviceAssignment::registrationId)
                    .containsExactly("old-a-0", "old-a-1", "old-a-2", "old-b-0");
        }

        @Test
        void aVersionTwoDatabaseWithDataGainsTheOwnershipRegistry() {
            DataSource old = freshDatabase("upgrade_v2");
            assertThat(new SchemaMigrator(old, Dialect.of(database().dialect()), clock).migrateTo(2))
                    .containsExactly(1, 2);
            DeviceAssignment registered;
            try (JdbcInventoryStore v2 = builder(old).schemaMode(SchemaMode.NONE).build()) {
                v2.upsertInstance(instance("dps-a", 10));
                for (int i = 0; i < 3; i++) {
                    assertThat(v2.assign(NewAssignment.of("dev-" + i, "dps-a"))).isInstanceOf(AssignOutcome.Created.class);
                }
                registered = v2.update(v2.findAssignment("dev-0").orElseThrow().registered("hub-1", "dev-0"));
                assertThatThrownBy(() -> v2.ownership().find("dev-0")).as("no ownership tables at version 2")
                        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.isTransient()).isFalse());
            }

            JdbcInventoryStore upgraded = builder(old).build();
            toClose.add(upgraded);

            assertThat(upgraded.schemaVersion()).isEqualTo(LATEST);
            assertThat(upgraded.migrate()).as("a second run").isEmpty();
            assertThat(upgraded.findAssignment("dev-0")).contains(registered);
            assertThat(upgraded.assignedCounts()).containsEntry("dps-a", 3L);
            assertThat(upgraded.assign(NewAssignment.of("dev-3", "dps-a"))).isInstanceOf(AssignOutcome.Created.class);

            OwnershipRegistry registry = upgraded.ownership();
            Ownership v1 = ((OwnershipOutcome.Created) registry.register(NewOwnership.of("dev-0", "vendor")))
                    .ownership();
            Ownership moved = registry.transfer(new TransferRequest("dev-0", v1.version(), "contoso",
                    Optional.of("dps-a"), "admin"));
            assertThat(registry.find("dev-0")).contains(moved);
            assertThat(registry.history("dev-0")).extracting(OwnershipTransfer::sequence).containsExactly(1L);
            assertThat(registry.ownedBy("contoso", Optional.empty(), 10).items()).containsExactly(moved);
        }

        @Test
        void aSchemaNewerThanTheLibraryIsRefusedAndLeftAlone() {
            DataSource db = freshDatabase("newer_schema");
            builder(db).build().close();
            try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(
                    "INSERT INTO multiscope_schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                p.setInt(1, LATEST + 1);
                p.setString(2, "from a later release");
                Dialect.of(database().dialect()).setInstant(p, 3, Instant.now());
                p.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            for (SchemaMode mode : List.of(SchemaMode.MIGRATE, SchemaMode.VALIDATE)) {
                assertThatThrownBy(() -> builder(db).schemaMode(mode).build()).as("mode %s", mode)
                        .isInstanceOfSatisfying(SchemaVersionException.class, e -> {
                            assertThat(e.databaseVersion()).isEqualTo(LATEST + 1);
                            assertThat(e.supportedVersion()).isEqualTo(LATEST);
                            assertThat(e.isTransient()).isFalse();
                        })
                        .hasMessageContaining("version " + (LATEST + 1)).hasMessageContaining("version " + LATEST);
            }
            JdbcInventoryStore unchecked = builder(db).schemaMode(SchemaMode.NONE).build();
            toClose.add(unchecked);
            assertThatThrownBy(unchecked::migrate).isInstanceOf(SchemaVersionException.class);
            assertThat(unchecked.schemaVersion()).isEqualTo(LATEST + 1);
        }

        @Test
        void validateRefusesAnOlderSchemaUntilItIsMigrated() {
            DataSource db = freshDatabase("older_schema");
            assertThatThrownBy(() -> builder(db).schemaMode(SchemaMode.VALIDATE).build())
                    .isInstanceOf(SchemaVersionException.class).hasMessageContaining("no inventory tables");
            new SchemaMigrator(db, Dialect.of(database().dialect()), clock).migrateTo(1);
            assertThatThrownBy(() -> builder(db).schemaMode(SchemaMode.VALIDATE).build())
                    .isInstanceOf(SchemaVersionException.class).hasMessageContaining("migrate()");

            JdbcInventoryStore manual = builder(db).schemaMode(SchemaMode.NONE).build();
            toClose.add(manual);
            assertThat(manual.migrate()).containsExactly(2, 3);
            assertThat(manual.migrate()).as("a second run").isEmpty();
            JdbcInventoryStore validated = builder(db).schemaMode(SchemaMode.VALIDATE).build();
            toClose.add(validated);
            validated.upsertInstance(instance("dps-a", 10));
            assertThat(validated.assignedCount("dps-a")).isZero();
        }
    }

    @Nested
    class Shards {

        @Test
        void eachInstanceGetsTheConfiguredShardsWithSharesAddingUpToItsCapacity() {
            store.upsertInstance(instance("dps-a", 1_000_003));
            assertThat(queryLong(database().shared(),
                    "SELECT COUNT(*) FROM multiscope_instance_counter WHERE instance_id = 'dps-a'")).isEqualTo(8);
            assertThat(queryLong(database().shared(), "SELECT SUM(capacity_share) FROM multiscope_instance_counter "
                    + "WHERE instance_id = 'dps-a'")).isEqualTo(1_000_003);
        }

        @Test
        void changingTheShardCountKeepsTheCountAndTheCapacityExact() {
            store.upsertInstance(instance("dps-s", 100));
            for (int i = 0; i < 37; i++) {
                assigned("dev-" + i, "dps-s");
            }
            try (JdbcInventoryStore three = builder(database().shared()).counterShards(3).build()) {
                assertThat(queryLong(database().shared(),
                        "SELECT COUNT(*) FROM multiscope_instance_counter WHERE instance_id = 'dps-s'")).isEqualTo(3);
                assertThat(three.assignedCount("dps-s")).isEqualTo(37);
                int created = 0;
                for (int i = 37; i < 150; i++) {
                    if (three.assign(NewAssignment.of("dev-" + i, "dps-s")) instanceof AssignOutcome.Created) {
                        created++;
                    }
                }
                assertThat(created).isEqualTo(63);
            }
            try (JdbcInventoryStore sixteen = builder(database().shared()).counterShards(16).build()) {
                assertThat(sixteen.assignedCount("dps-s")).isEqualTo(100);
                assertThat(sixteen.assign(NewAssignment.of("one-more", "dps-s")))
                        .isInstanceOf(AssignOutcome.Refused.class);
                DeviceAssignment d = sixteen.findAssignment("dev-5").orElseThrow();
                sixteen.release("dev-5", d.version());
                assertThat(sixteen.assign(NewAssignment.of("one-more", "dps-s")))
                        .isInstanceOf(AssignOutcome.Created.class);
                assertThat(rowsOn("dps-s")).isEqualTo(100).isEqualTo(shardSum("dps-s"));
            }
        }

        @Test
        void afterACapacityCutTheInstanceReopensOnlyOnceItsCountIsBelowTheNewCapacity() {
            store.upsertInstance(instance("dps-cut", 20));
            List<DeviceAssignment> devices = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                devices.add(assigned("dev-" + i, "dps-cut"));
            }
            store.upsertInstance(instance("dps-cut", 10));
            for (int i = 0; i < 10; i++) {
                store.release(devices.get(i).registrationId(), devices.get(i).version());
                assertThat(store.assign(NewAssignment.of("new-" + i, "dps-cut")))
                        .as("after %d releases, %d devices on a capacity of 10", i + 1, 19 - i)
                        .isEqualTo(new AssignOutcome.Refused("dps-cut", AssignOutcome.Reason.FULL));
            }
            store.release(devices.get(10).registrationId(), devices.get(10).version());
            assertThat(store.assign(NewAssignment.of("new-x", "dps-cut"))).isInstanceOf(AssignOutcome.Created.class);
            assertThat(store.assign(NewAssignment.of("new-y", "dps-cut"))).isInstanceOf(AssignOutcome.Refused.class);
            assertThat(store.assignedCount("dps-cut")).isEqualTo(10).isEqualTo(rowsOn("dps-cut"));
        }
    }

    @Nested
    class BadInput {

        @BeforeEach
        void instances() {
            store.upsertInstance(instance("dps-a", 100));
        }

        @Test
        void textLongerThanItsColumnIsRefusedAndChangesNothing() {
            assertThatThrownBy(() -> store.assign(new NewAssignment("dev-1", "dps-a", Optional.of("t".repeat(257)))))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("tenant")
                    .hasMessageContaining("256");
            assertThat(store.findAssignment("dev-1")).isEmpty();
            DeviceAssignment a = assigned("dev-1", "dps-a");
            assertThatThrownBy(() -> store.update(a.registered("h".repeat(256), "dev-1")))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("assignedHub");
            assertThat(store.findAssignment("dev-1")).contains(a);
            DpsInstance wide = DpsInstance.builder("dps-wide").idScope("0ne1").region("r".repeat(65)).build();
            assertThatThrownBy(() -> store.upsertInstance(wide)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("region");
            assertThat(store.findInstance("dps-wide")).isEmpty();
            assertThat(store.assignedCount("dps-a")).isEqualTo(1);
        }

        @Test
        void textNoDatabaseStoresVerbatimIsRefused() {
            for (String bad : List.of("nul\u0000inside", "lone \ud800 surrogate", "reversed \udc00\ud800")) {
                assertThatThrownBy(() -> store.assign(new NewAssignment("dev-1", "dps-a", Optional.of(bad))))
                        .isInstanceOf(InvalidRequestException.class);
            }
            assertThat(store.findAssignment("dev-1")).isEmpty();
        }

        @Test
        void fullWidthTextRoundTripsAtTheColumnLimit() {
            String tenant = "\ud83d\ude00'\"é中".repeat(42) + "abcd"; // 256 UTF-16 units, emoji outside the BMP
            assertThat(tenant).hasSize(256);
            DeviceAssignment a = ((AssignOutcome.Created) store.assign(
                    new NewAssignment("dev-1", "dps-a", Optional.of(tenant)))).assignment();
            assertThat(store.findAssignment("dev-1")).contains(a);
            assertThat(store.findAssignment("dev-1").orElseThrow().tenant()).contains(tenant);
        }

        @Test
        void pagesFollowJavaStringOrderOverEveryAllowedCharacter() {
            String allowed = "-.0123456789:_abcdefghijklmnopqrstuvwxyz";
            List<String> ids = new ArrayList<>();
            for (char c : allowed.toCharArray()) {
                ids.add("p" + c + "0");
                ids.add("p" + c + c + "-");
            }
            ids.add("p");
            ids.add("p0");
            Collections.shuffle(ids, new java.util.Random(7));
            for (String id : ids) {
                assigned(id, "dps-a");
            }
            List<String> paged = new ArrayList<>();
            Optional<String> after = Optional.empty();
            do {
                InventoryPage page = store.assignmentsOn("dps-a", after, 7);
                page.items().forEach(d -> paged.add(d.registrationId()));
                after = page.next();
            } while (after.isPresent());
            assertThat(paged).isEqualTo(ids.stream().sorted().toList());
        }

        @Test
        void ownershipTextNoDatabaseStoresVerbatimIsRefusedAndChangesNothing() {
            OwnershipRegistry registry = store.ownership();
            Ownership v1 = ((OwnershipOutcome.Created) registry.register(NewOwnership.of("dev-1", "vendor")))
                    .ownership();
            for (String bad : List.of("nul\u0000inside", "lone \ud800 surrogate")) {
                assertThatThrownBy(() -> registry.transfer(new TransferRequest("dev-1", v1.version(), "contoso",
                        Optional.empty(), bad))).as("actor %s", bad).isInstanceOf(InvalidRequestException.class)
                        .hasMessageContaining("actor");
                assertThatThrownBy(() -> registry.transfer(new TransferRequest("dev-1", v1.version(), "contoso",
                        Optional.of(bad), "admin"))).isInstanceOf(InvalidRequestException.class);
                assertThatThrownBy(() -> registry.update(v1.withActiveInstance(bad)))
                        .isInstanceOf(InvalidRequestException.class);
                ClaimCode code = ClaimCode.unused(bad, Instant.parse("2026-02-01T00:00:00Z"));
                assertThatThrownBy(() -> registry.update(v1.withClaim(code))).isInstanceOf(InvalidRequestException.class)
                        .hasMessageContaining("claim hash");
                assertThatThrownBy(() -> registry.update(v1.withClaim(ClaimCode.unused("h", Instant.EPOCH)
                        .usedBy(bad, Instant.EPOCH)))).isInstanceOf(InvalidRequestException.class)
                        .hasMessageContaining("claimedBy");
                assertThatThrownBy(() -> registry.register(new NewOwnership("dev-2", "vendor", Optional.empty(),
                        Optional.of(code)))).isInstanceOf(InvalidRequestException.class);
            }
            assertThat(registry.find("dev-1")).contains(v1);
            assertThat(registry.find("dev-2")).isEmpty();
            assertThat(historyRows("dev-1")).isZero();
        }

        /** Ids are ASCII columns; an {@code after} with other characters must still page, on MariaDB too. */
        @Test
        void pagesStartAfterAnyTextEvenWhereTheColumnsAreAscii() {
            OwnershipRegistry registry = store.ownership();
            for (String id : List.of("a", "d", "dev", "dev-1", "dev-2", "dew", "z")) {
                assigned(id, "dps-a");
                registry.register(NewOwnership.of(id, "contoso"));
            }
            Map<String, List<String>> expected = Map.of(
                    "d\u00e9v", List.of("z"),
                    "dev\u0000x", List.of("dev-1", "dev-2", "dew", "z"),
                    "dev-\ud83d\ude00", List.of("dew", "z"),
                    "\u4e2d", List.of(),
                    "dev-1\u007f", List.of("dev-2", "dew", "z"));
            for (Map.Entry<String, List<String>> e : expected.entrySet()) {
                assertThat(e.getValue()).as("Java's order").isEqualTo(List.of("a", "d", "dev", "dev-1", "dev-2", "dew",
                        "z").stream().filter(id -> id.compareTo(e.getKey()) > 0).toList());
                assertThat(store.assignmentsOn("dps-a", Optional.of(e.getKey()), 100).items())
                        .as("devices after %s", e.getKey()).extracting(DeviceAssignment::registrationId)
                        .isEqualTo(e.getValue());
                assertThat(registry.ownedBy("contoso", Optional.of(e.getKey()), 100).items())
                        .as("owned after %s", e.getKey()).extracting(Ownership::registrationId)
                        .isEqualTo(e.getValue());
            }
        }

        @Test
        void instanceIdsAreCaseSensitive() {
            store.upsertInstance(instance("DPS-A", 100));
            assigned("dev-upper", "DPS-A");
            assertThat(store.instances()).extracting(DpsInstance::id).containsExactly("DPS-A", "dps-a");
            assertThat(store.assignedCounts()).containsEntry("DPS-A", 1L).containsEntry("dps-a", 0L);
            assertThat(store.assignmentsOn("dps-a", Optional.empty(), 10).items()).isEmpty();
        }
    }
}
