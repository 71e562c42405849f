package io.multiscope.store.cosmos;

import com.azure.cosmos.CosmosAsyncClient;
import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosBridgeInternal;
import com.azure.cosmos.CosmosClient;
import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosContainerProperties;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.DpsInstance;
import io.multiscope.core.ownership.OwnershipRegistry;
import io.multiscope.core.store.AssignOutcome;
import io.multiscope.core.store.InventoryPage;
import io.multiscope.core.store.InventoryStore;
import io.multiscope.core.store.NewAssignment;
import io.multiscope.core.time.Sleeper;
import io.multiscope.spi.InstanceState;
import io.multiscope.store.cosmos.internal.Assignments;
import io.multiscope.store.cosmos.internal.CapacityGrants;
import io.multiscope.store.cosmos.internal.ChargeMeter;
import io.multiscope.store.cosmos.internal.CosmosOwnershipRegistry;
import io.multiscope.store.cosmos.internal.CounterShards;
import io.multiscope.store.cosmos.internal.DevicePages;
import io.multiscope.store.cosmos.internal.Documents;
import io.multiscope.store.cosmos.internal.InstanceRegistry;
import io.multiscope.store.cosmos.internal.Limits;
import io.multiscope.store.cosmos.internal.Names;
import io.multiscope.store.cosmos.internal.PendingOperations;
import io.multiscope.store.cosmos.internal.Reconciler;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link InventoryStore} on Azure Cosmos DB (NoSQL API), safe with several writers in several regions.
 *
 * <pre>{@code
 * CosmosAsyncClient client = new CosmosClientBuilder().endpoint(endpoint).credential(credential)
 *         .directMode().preferredRegions(List.of("West Europe", "North Europe"))
 *         .contentResponseOnWriteEnabled(false).consistencyLevel(ConsistencyLevel.SESSION).buildAsyncClient();
 * CosmosAsyncContainer container = CosmosContainers.createIfNotExists(client.getDatabase("multiscope"),
 *         "inventory", ThroughputProperties.createAutoscaledThroughput(4000));
 * InventoryStore store = CosmosInventoryStore.builder().container(container).writerId("westeurope-1").build();
 * }</pre>
 *
 * <p>Device documents are partitioned by registration id and touched only by point reads and conditional writes.
 * Per-instance counts live in counter shards, one per instance and writer, each changed only by its own writer with
 * patch increments, so multi-region writes cannot lose an increment. Capacity is handed to writers in grants; see
 * {@code docs/store-cosmos.md} for the design, what holds across regions and the failure modes.
 *
 * <p>{@link #ownership()} keeps the ownership registry in the same container: each device's record and transfer
 * history in the device's own partition, every change one conditional write.
 *
 * <p>Each running store needs its own {@linkplain Builder#writerId writer id}, stable across restarts (a restarted
 * writer repairs its own interrupted operations with {@link #reconcile()}). Thread-safe. {@link #close()} returns
 * unused capacity and leaves the client open: it belongs to the application.
 */
public final class CosmosInventoryStore implements InventoryStore {

    private static final Logger LOG = LoggerFactory.getLogger(CosmosInventoryStore.class);

    private final ChargeMeter meter;
    private final InstanceRegistry registry;
    private final CounterShards shards;
    private final CapacityGrants grants;
    private final Assignments assignments;
    private final DevicePages pages;
    private final Reconciler reconciler;
    private final CosmosOwnershipRegistry ownership;
    private final String writerId;

    private CosmosInventoryStore(Builder b) {
        this.writerId = b.writerId;
        this.meter = new ChargeMeter(b.chargeListener);
        Documents docs = new Documents(b.container, b.retry, meter);
        Documents registryDocs = b.registryContainer == null ? docs
                : new Documents(b.registryContainer, b.retry, meter);
        this.registry = new InstanceRegistry(registryDocs, b.instanceCacheTtl);
        this.shards = new CounterShards(docs, b.writerId, b.clock);
        this.grants = new CapacityGrants(registry, shards, b.grantSize);
        PendingOperations pending = new PendingOperations(docs, shards, registry, b.clock, b.sleeper, b.grace);
        this.assignments = new Assignments(docs, registry, shards, grants, pending, b.clock);
        this.pages = new DevicePages(docs, registry);
        this.reconciler = new Reconciler(docs, shards, pending, grants, b.clock, b.grace);
        this.ownership = new CosmosOwnershipRegistry(b.ownershipContainer == null ? docs
                : new Documents(b.ownershipContainer, b.retry, meter), meter, b.clock);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This store's writer id. */
    public String writerId() {
        return writerId;
    }

    @Override
    public void upsertInstance(DpsInstance instance) {
        Objects.requireNonNull(instance, "instance");
        Limits.instance(instance);
        meter.measure("upsertInstance", () -> {
            registry.upsert(instance);
            return null;
        });
    }

    @Override
    public Optional<DpsInstance> findInstance(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return meter.measure("findInstance", () -> registry.read(instanceId).map(e -> e.instance()));
    }

    @Override
    public List<DpsInstance> instances() {
        return meter.measure("instances", registry::all);
    }

    @Override
    public DpsInstance setInstanceState(String instanceId, InstanceState state) {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(state, "state");
        return meter.measure("setInstanceState", () -> registry.setState(instanceId, state));
    }

    @Override
    public long assignedCount(String instanceId) {
        return meter.measure("assignedCount", () -> {
            registry.recent(instanceId);
            return shards.total(instanceId);
        });
    }

    @Override
    public Map<String, Long> assignedCounts() {
        return meter.measure("assignedCounts", () -> {
            Map<String, Long> totals = shards.totals();
            Map<String, Long> counts = new LinkedHashMap<>();
            for (DpsInstance i : registry.all()) {
                counts.put(i.id(), totals.getOrDefault(i.id(), 0L));
            }
            return counts;
        });
    }

    @Override
    public Optional<DeviceAssignment> findAssignment(String registrationId) {
        return meter.measure("findAssignment", () -> assignments.find(registrationId));
    }

    @Override
    public AssignOutcome assign(NewAssignment assignment) {
        Objects.requireNonNull(assignment, "assignment");
        return meter.measure("assign", () -> assignments.assign(assignment));
    }

    @Override
    public DeviceAssignment update(DeviceAssignment updated) {
        return meter.measure("update", () -> assignments.update(updated));
    }

    @Override
    public AssignOutcome move(String registrationId, long expectedVersion, String targetInstanceId) {
        Objects.requireNonNull(targetInstanceId, "targetInstanceId");
        return meter.measure("move", () -> assignments.move(registrationId, expectedVersion, targetInstanceId));
    }

    @Override
    public boolean release(String registrationId, long expectedVersion) {
        return meter.measure("release", () -> assignments.release(registrationId, expectedVersion));
    }

    @Override
    public InventoryPage assignmentsOn(String instanceId, Optional<String> afterRegistrationId, int limit) {
        return meter.measure("assignmentsOn", () -> pages.page(instanceId, afterRegistrationId, limit));
    }

    /**
     * The ownership registry, in the store's container (or the {@linkplain Builder#ownershipContainer ownership
     * container}): a device's record is one document in the device's partition, changed by create-if-absent and
     * replaces conditional on its etag; a transfer changes the owner and records the history entry in one such write.
     * {@link OwnershipRegistry#ownedBy} is a cross-partition query, everything else point reads and writes or a read
     * of the device's partition. Writer ids play no part: any node may change any record.
     */
    @Override
    public OwnershipRegistry ownership() {
        return ownership;
    }

    /**
     * Finishes or rolls back this writer's operations that were interrupted (marks older than the grace period),
     * clears finished entries from its counter shard journals and writes again capacity grants lost to multi-region
     * conflict resolution. Run it when a writer starts, and from time to time;
     * to clean up after a writer that is gone for good, run it once from a store built with that writer's id.
     */
    public ReconcileReport reconcile() {
        return meter.measure("reconcile", reconciler::reconcile);
    }

    /**
     * Compares the instance's count with its device documents (two cross-partition COUNT queries). Run it when the
     * instance is quiet: while operations run, the two may differ by the operations in progress.
     */
    public CountAudit audit(String instanceId) {
        Objects.requireNonNull(instanceId, "instanceId");
        return meter.measure("audit", () -> {
            long counted = shards.total(instanceId);
            long[] documents = pages.countDocuments(instanceId);
            return new CountAudit(instanceId, counted, documents[0], documents[1]);
        });
    }

    /**
     * Gives back the capacity this writer holds on each instance but has not used, so other writers can take it.
     * {@link #close()} does this; call it too when a writer will be idle while others still assign.
     */
    public void returnUnusedCapacity() {
        meter.measure("returnUnusedCapacity", () -> {
            grants.returnUnused();
            return null;
        });
    }

    /** Returns unused capacity and clears finished journal entries (best effort); the client stays open. */
    @Override
    public void close() {
        try {
            meter.measure("close", () -> {
                shards.flush();
                grants.returnUnused();
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("Writer '{}' could not return unused capacity on close; other writers get it after this writer"
                    + " runs again or after returnUnusedCapacity() from a store with its id: {}", writerId,
                    e.getMessage());
        }
    }

    /** Builds a {@link CosmosInventoryStore}; a container and a writer id are required. */
    public static final class Builder {
        private CosmosAsyncContainer container;
        private CosmosAsyncContainer registryContainer;
        private CosmosAsyncContainer ownershipContainer;
        private String writerId;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private RetryHook retry = RetryHook.defaults();
        private RequestChargeListener chargeListener;
        private long grantSize;
        private Duration grace = Duration.ofMinutes(5);
        private Duration instanceCacheTtl = Duration.ofSeconds(1);
        private boolean verifyContainer = true;

        private Builder() {
        }

        /** The container (see {@link CosmosContainers}), through a client the application built and closes. */
        public Builder container(CosmosAsyncContainer container) {
            this.container = Objects.requireNonNull(container, "container");
            return this;
        }

        /** As {@link #container(CosmosAsyncContainer)}, for an application that uses the synchronous client. */
        public Builder container(CosmosContainer container) {
            // The synchronous client is a blocking facade over the asynchronous one; the store blocks itself.
            return container(CosmosBridgeInternal.getCosmosAsyncContainer(Objects.requireNonNull(container,
                    "container")));
        }

        /** The container {@code databaseId}/{@code containerId} through {@code client}. */
        public Builder client(CosmosAsyncClient client, String databaseId, String containerId) {
            return container(client.getDatabase(databaseId).getContainer(containerId));
        }

        /** The container {@code databaseId}/{@code containerId} through a synchronous {@code client}. */
        public Builder client(CosmosClient client, String databaseId, String containerId) {
            return container(client.getDatabase(databaseId).getContainer(containerId));
        }

        /**
         * Optional: the same container through a client whose preferred (write) region is one fixed home region, used
         * for instance registry writes (configuration and capacity grants). With multi-region writes this keeps those
         * conditional writes in one region, where they cannot conflict; see {@code docs/store-cosmos.md}.
         */
        public Builder registryContainer(CosmosAsyncContainer registryContainer) {
            this.registryContainer = Objects.requireNonNull(registryContainer, "registryContainer");
            return this;
        }

        /**
         * Optional: where the ownership registry lives, by default the store's container. Pass the same container
         * through a client whose preferred (write) region is one fixed home region to keep every ownership write in
         * that region, where a conditional write has exactly one winner even with multi-region writes (claim codes
         * stay single-use across regions); or another container made by {@link CosmosContainers}.
         */
        public Builder ownershipContainer(CosmosAsyncContainer ownershipContainer) {
            this.ownershipContainer = Objects.requireNonNull(ownershipContainer, "ownershipContainer");
            return this;
        }

        /**
         * This store's writer id: unique among running stores, stable across restarts, e.g. {@code
         * "westeurope-node-3"}. Counter shards and capacity grants are kept per writer id.
         */
        public Builder writerId(String writerId) {
            this.writerId = Limits.writerId(writerId);
            return this;
        }

        /** Stamps records and operation marks; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Waits between looks at a device another operation is changing; real time by default. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** Retries single requests; {@link RetryHook#defaults()} unless set. */
        public Builder retryHook(RetryHook retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** Told the requests and request units of every operation; none by default. */
        public Builder requestChargeListener(RequestChargeListener listener) {
            this.chargeListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Slots a writer takes from an instance's capacity at a time; by default 0.1 % of the capacity, at least 100
         * (1,000 for a default 1,000,000-device instance). Larger means fewer registry writes; smaller means less
         * capacity held idle by one writer while another is refused.
         */
        public Builder grantSize(long grantSize) {
            if (grantSize < 1) {
                throw new IllegalArgumentException("grantSize must be >= 1, was " + grantSize);
            }
            this.grantSize = grantSize;
            return this;
        }

        /**
         * How old an operation's mark must be before it counts as interrupted and may be repaired (default 5
         * minutes). Must exceed the longest time a request can stay in flight (the client's end-to-end timeout).
         */
        public Builder pendingGrace(Duration grace) {
            if (grace.isNegative() || grace.isZero()) {
                throw new IllegalArgumentException("pendingGrace must be positive, was " + grace);
            }
            this.grace = grace;
            return this;
        }

        /**
         * How long instance configuration read on the assignment path may be reused (default 1 s; zero disables the
         * cache). This store's own changes are seen at once; another store's after at most this long.
         */
        public Builder instanceCacheTtl(Duration ttl) {
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("instanceCacheTtl must not be negative, was " + ttl);
            }
            this.instanceCacheTtl = ttl;
            return this;
        }

        /** Whether {@link #build()} reads the container once to check it exists with the right partition key. */
        public Builder verifyContainer(boolean verify) {
            this.verifyContainer = verify;
            return this;
        }

        /**
         * @throws IllegalStateException if the container or writer id is missing
         * @throws IllegalArgumentException if the container is not partitioned by {@value Names#PARTITION_KEY_PATH}
         */
        public CosmosInventoryStore build() {
            if (container == null) {
                throw new IllegalStateException("container is required: CosmosInventoryStore.builder().container(...)"
                        + " or .client(client, database, container)");
            }
            if (writerId == null) {
                throw new IllegalStateException("writerId is required: a name unique to this running store and "
                        + "stable across its restarts, e.g. '<region>-<host>'");
            }
            if (verifyContainer) {
                verify(container);
                if (registryContainer != null) {
                    verify(registryContainer);
                }
                if (ownershipContainer != null) {
                    verify(ownershipContainer);
                }
            }
            return new CosmosInventoryStore(this);
        }

        private static void verify(CosmosAsyncContainer container) {
            CosmosContainerProperties properties;
            try {
                properties = container.read().block().getProperties();
            } catch (CosmosException e) {
                if (e.getStatusCode() == 404) {
                    throw new IllegalArgumentException("Cosmos DB container '" + container.getId() + "' (database '"
                            + container.getDatabase().getId() + "') does not exist; create it with "
                            + "CosmosContainers.createIfNotExists", e);
                }
                throw e;
            }
            List<String> paths = properties.getPartitionKeyDefinition().getPaths();
            if (!List.of(Names.PARTITION_KEY_PATH).equals(paths)) {
                throw new IllegalArgumentException("Cosmos DB container '" + container.getId() + "' is partitioned by "
                        + paths + "; the store needs " + Names.PARTITION_KEY_PATH
                        + " (create it with CosmosContainers.createIfNotExists)");
            }
        }
    }
}
