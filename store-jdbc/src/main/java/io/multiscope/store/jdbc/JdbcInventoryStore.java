package io.multiscope.store.jdbc;

import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.RegistrationIds;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.InventoryPage;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.store.StoreException;
import io.multiscope.spi.InstanceState;
import io.multiscope.store.jdbc.internal.AssignmentRows;
import io.multiscope.store.jdbc.internal.AssignmentWrites;
import io.multiscope.store.jdbc.internal.CounterShards;
import io.multiscope.store.jdbc.internal.Dialect;
import io.multiscope.store.jdbc.internal.EmbeddedH2;
import io.multiscope.store.jdbc.internal.InstanceRegistry;
import io.multiscope.store.jdbc.internal.InstanceRows;
import io.multiscope.store.jdbc.internal.JdbcOwnershipRegistry;
import io.multiscope.store.jdbc.internal.MidTransactionHook;
import io.multiscope.store.jdbc.internal.Migration;
import io.multiscope.store.jdbc.internal.Operation;
import io.multiscope.store.jdbc.internal.SchemaMigrator;
import io.multiscope.store.jdbc.internal.Transactions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link InventoryStore} in a relational database over JDBC: H2 (embedded), PostgreSQL, MariaDB/MySQL.
 *
 * <pre>{@code
 * HikariDataSource pool = new HikariDataSource(config);          // the application's pool
 * InventoryStore store = JdbcInventoryStore.builder(pool).build(); // creates or upgrades the tables
 * }</pre>
 *
 * <p>Every write is one transaction that changes the device's record and its instance's count together; the count
 * is spread over counter shards (see {@link Builder#counterShards}) so concurrent assignments on one instance do
 * not all update one row. Transient database failures are retried through the {@link TransientRetry}; every other
 * failure is a {@link StoreException} naming the device and instance. Thread-safe; the store holds no connection
 * between calls.
 */
public final class JdbcInventoryStore implements InventoryStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcInventoryStore.class);
    private static final int MAX_PAGE = 10_000;

    private final Dialect dialect;
    private final Transactions transactions;
    private final SchemaMigrator migrator;
    private final AssignmentRows assignments;
    private final InstanceRows instanceRows;
    private final InstanceRegistry registry;
    private final AssignmentWrites writes;
    private final JdbcOwnershipRegistry ownership;
    private final AutoCloseable owned;
    private final boolean singleStatementAssign;

    private JdbcInventoryStore(Builder b, Dialect dialect) {
        this.dialect = dialect;
        this.transactions = new Transactions(b.dataSource, dialect, b.retry);
        this.migrator = new SchemaMigrator(b.dataSource, dialect, b.clock);
        this.assignments = new AssignmentRows(dialect);
        this.instanceRows = new InstanceRows(dialect);
        CounterShards counters = new CounterShards(b.counterShards);
        this.registry = new InstanceRegistry(instanceRows, counters, b.clock);
        this.writes = new AssignmentWrites(dialect, assignments, instanceRows, counters, b.clock, b.hook);
        this.ownership = new JdbcOwnershipRegistry(transactions, b.clock, b.hook);
        this.owned = b.owned;
        this.singleStatementAssign = b.singleStatementAssign && dialect.singleStatementAssign().isPresent();
    }

    /** A builder for a store on {@code dataSource}, which the application keeps owning (the store never closes it). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null);
    }

    /**
     * A builder for a store in an embedded H2 database file ({@code file} plus H2's {@code .mv.db} suffix), created
     * if missing, behind a small pool that the store closes with itself. Needs {@code com.h2database:h2} on the
     * classpath.
     */
    public static Builder embedded(Path file) {
        Objects.requireNonNull(file, "file");
        EmbeddedH2 h2;
        try {
            h2 = EmbeddedH2.open(file, 16);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("The embedded inventory needs H2 on the classpath: add the dependency "
                    + "com.h2database:h2", e);
        }
        return new Builder(h2.dataSource(), h2).dialect(JdbcDialect.H2);
    }

    /** The schema version this library reads and writes. */
    public static int supportedSchemaVersion() {
        return Migration.latestVersion();
    }

    public JdbcDialect dialect() {
        return dialect.kind();
    }

    /**
     * Creates the tables or upgrades them to {@link #supportedSchemaVersion()}, then fits every instance's counter
     * shards to this store's configuration. Safe to run from several nodes at once: they take turns.
     *
     * @return the versions applied, oldest first; empty if the schema was current
     * @throws SchemaVersionException if the database's schema is newer than this library
     */
    public List<Integer> migrate() {
        List<Integer> applied = migrator.migrate();
        if (!applied.isEmpty()) {
            LOG.info("Inventory schema ({}) upgraded through version(s) {}", dialect.kind().displayName(), applied);
        }
        alignCounterShards();
        return applied;
    }

    /** The schema version recorded in the database; 0 if it has no inventory tables. */
    public int schemaVersion() {
        return migrator.currentVersion();
    }

    private void alignCounterShards() {
        List<String> misaligned = transactions.withoutTransaction(new Operation("check counter shards", null, null),
                (c, tx) -> registry.misaligned(c));
        for (String id : misaligned) {
            transactions.write(Operation.onInstance("re-spread the count", id), (c, tx) -> {
                registry.align(c, id);
                return null;
            });
        }
    }

    @Override
    public void upsertInstance(DpsInstance instance) {
        Objects.requireNonNull(instance, "instance");
        InstanceRows.requireStorable(instance);
        transactions.write(Operation.onInstance("upsert", instance.id()), (c, tx) -> {
            registry.upsert(c, instance);
            return null;
        });
    }

    @Override
    public Optional<DpsInstance> findInstance(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return transactions.withoutTransaction(Operation.onInstance("find", instanceId), (c, tx) -> instanceRows.find(c, instanceId));
    }

    @Override
    public List<DpsInstance> instances() {
        return transactions.withoutTransaction(new Operation("list instances", null, null), (c, tx) -> instanceRows.all(c));
    }

    @Override
    public DpsInstance setInstanceState(String instanceId, InstanceState state) {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(state, "state");
        return transactions.write(Operation.onInstance("set state " + state, instanceId),
                (c, tx) -> registry.setState(c, instanceId, state));
    }

    @Override
    public long assignedCount(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return transactions.withoutTransaction(Operation.onInstance("count", instanceId), (c, tx) -> registry.count(c, instanceId));
    }

    @Override
    public Map<String, Long> assignedCounts() {
        return transactions.withoutTransaction(new Operation("count all instances", null, null), (c, tx) -> registry.counts(c));
    }

    @Override
    public Optional<DeviceAssignment> findAssignment(String registrationId) {
        String id = RegistrationIds.requireNormalised(registrationId);
        return transactions.withoutTransaction(Operation.onDevice("look-up", id), (c, tx) -> assignments.find(c, id));
    }

    @Override
    public AssignOutcome assign(NewAssignment request) {
        Objects.requireNonNull(request, "request");
        String id = RegistrationIds.requireNormalised(request.registrationId());
        AssignmentRows.requireStorable(id, request.tenant(), Optional.empty(), Optional.empty());
        Operation operation = new Operation("assign", id, request.instanceId());
        if (singleStatementAssign) {
            Optional<AssignOutcome> done = transactions.withoutTransaction(operation,
                    (c, tx) -> writes.assignInOneStatement(c, id, request.instanceId(), request.tenant()));
            if (done.isPresent()) {
                return done.get();
            }
        }
        return transactions.write(operation,
                (c, tx) -> writes.assign(c, tx, id, request.instanceId(), request.tenant()));
    }

    @Override
    public DeviceAssignment update(DeviceAssignment updated) {
        Objects.requireNonNull(updated, "updated");
        String id = RegistrationIds.requireNormalised(updated.registrationId());
        AssignmentRows.requireStorable(id, updated.tenant(), updated.assignedHub(), updated.deviceId());
        return transactions.write(new Operation("update", id, updated.instanceId()),
                (c, tx) -> writes.update(c, updated));
    }

    @Override
    public AssignOutcome move(String registrationId, long expectedVersion, String targetInstanceId) {
        String id = RegistrationIds.requireNormalised(registrationId);
        Objects.requireNonNull(targetInstanceId, "targetInstanceId");
        return transactions.write(new Operation("move", id, targetInstanceId),
                (c, tx) -> writes.move(c, tx, id, expectedVersion, targetInstanceId));
    }

    @Override
    public boolean release(String registrationId, long expectedVersion) {
        String id = RegistrationIds.requireNormalised(registrationId);
        return transactions.write(Operation.onDevice("release", id),
                (c, tx) -> writes.release(c, id, expectedVersion));
    }

    @Override
    public InventoryPage assignmentsOn(String instanceId, Optional<String> afterRegistrationId, int limit) {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(afterRegistrationId, "afterRegistrationId");
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", was " + limit);
        }
        return transactions.withoutTransaction(Operation.onInstance("page through the devices", instanceId), (c, tx) -> {
            InventoryPage page = assignments.page(c, instanceId, afterRegistrationId, limit);
            if (page.items().isEmpty()) {
                registry.count(c, instanceId); // an empty page of an unknown instance is an error, not empty
            }
            return page;
        });
    }

    /**
     * The ownership registry in the same database ({@code multiscope_ownership} and its transfer history), with the
     * store's clock, retry and failure handling. A transfer and its history entry commit in one transaction.
     */
    @Override
    public OwnershipRegistry ownership() {
        return ownership;
    }

    /** Closes what the store opened itself (the pool of {@link #embedded}); never the application's data source. */
    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new StoreException("JDBC inventory: closing the embedded database failed: " + e.getMessage(),
                        null, null, false, e);
            }
        }
    }

    /** Configures a {@link JdbcInventoryStore}; {@link #build()} validates and prepares the schema. */
    public static final class Builder {

        private final DataSource dataSource;
        private final AutoCloseable owned;
        private JdbcDialect dialect;
        private Clock clock = Clock.systemUTC();
        private int counterShards = 8;
        private SchemaMode schemaMode = SchemaMode.MIGRATE;
        private TransientRetry retry = TransientRetry.defaults();
        private MidTransactionHook hook = MidTransactionHook.NONE;
        private boolean singleStatementAssign = true;

        private Builder(DataSource dataSource, AutoCloseable owned) {
            this.dataSource = dataSource;
            this.owned = owned;
        }

        /** The database's dialect; detected from the connection's metadata when not set. */
        public Builder dialect(JdbcDialect dialect) {
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /** Stamps records' creation and update times; the system clock (UTC) by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Counter rows per instance, 1 to 1024; default 8. More shards let more assignments on one instance commit
         * in parallel; a count costs a sum over that many rows. Use the same value on every node: a node re-spreads
         * the counts to its own value at start and whenever an instance is upserted.
         */
        public Builder counterShards(int counterShards) {
            if (counterShards < 1 || counterShards > 1024) {
                throw new IllegalArgumentException("counterShards must be 1 to 1024, was " + counterShards);
            }
            this.counterShards = counterShards;
            return this;
        }

        /** What {@link #build()} does about the schema; {@link SchemaMode#MIGRATE} by default. */
        public Builder schemaMode(SchemaMode schemaMode) {
            this.schemaMode = Objects.requireNonNull(schemaMode, "schemaMode");
            return this;
        }

        /** How transient failures are retried; {@link TransientRetry#defaults()} by default. */
        public Builder retry(TransientRetry retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** For tests that break a connection half-way through a transaction. */
        Builder midTransactionHook(MidTransactionHook hook) {
            this.hook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * For tests of the transaction a PostgreSQL assignment falls back to (a single statement has no middle in
         * which to break it).
         */
        Builder singleStatementAssign(boolean enabled) {
            this.singleStatementAssign = enabled;
            return this;
        }

        /**
         * @throws SchemaVersionException if the schema is newer than this library, or (with
         *     {@link SchemaMode#VALIDATE}) not at its version
         * @throws StoreException if the database cannot be reached or its dialect not recognised
         */
        public JdbcInventoryStore build() {
            try {
                JdbcInventoryStore store = new JdbcInventoryStore(this, Dialect.of(resolveDialect()));
                switch (schemaMode) {
                    case MIGRATE -> store.migrate();
                    case VALIDATE -> {
                        store.migrator.validate();
                        store.alignCounterShards();
                    }
                    case NONE -> { }
                }
                return store;
            } catch (RuntimeException e) {
                closeOwned(e);
                throw e;
            }
        }

        private JdbcDialect resolveDialect() {
            if (dialect != null) {
                return dialect;
            }
            try (Connection c = dataSource.getConnection()) {
                return JdbcDialect.forProductName(c.getMetaData().getDatabaseProductName());
            } catch (SQLException e) {
                throw new StoreException("JDBC inventory: cannot connect to detect the database's dialect: "
                        + e.getMessage() + " [SQLSTATE " + e.getSQLState() + "]", null, null, true, e);
            }
        }

        private void closeOwned(RuntimeException failure) {
            if (owned != null) {
                try {
                    owned.close();
                } catch (Exception e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }
}
