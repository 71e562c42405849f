package io.multiscope.store.cosmos;

import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosAsyncDatabase;
import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosDatabase;
import com.azure.cosmos.models.CompositePath;
import com.azure.cosmos.models.CompositePathSortOrder;
import com.azure.cosmos.models.CosmosContainerProperties;
import com.azure.cosmos.models.ExcludedPath;
import com.azure.cosmos.models.IncludedPath;
import com.azure.cosmos.models.IndexingMode;
import com.azure.cosmos.models.IndexingPolicy;
import com.azure.cosmos.models.ThroughputProperties;
import io.multiscope.store.cosmos.internal.Names;
import java.util.List;
import java.util.Objects;

/**
 * Creates the container a {@link CosmosInventoryStore} uses, with the partition key and indexing policy it needs.
 *
 * <p>Partition key {@value #PARTITION_KEY_PATH}: a device's registration id for device documents and for its ownership
 * record and transfer history (so the hot path is point reads and writes spread over every partition), a per-instance
 * key for counter shards and one small key for the instance registry. Indexing: only what the store queries (instance
 * and id for paging through an instance's devices, owner and partition key for paging through an owner's devices, the
 * kind and writer of shards, the writer of pending marks), plus composite indexes (instance, id) and (owner, pk) for
 * the paging queries' ORDER BY; everything else (tenant, hub, timestamps, journals, grants, claims, history) is
 * excluded, which makes every write cheaper. Conflict resolution stays the default last-writer-wins on {@code _ts}:
 * counter shards never conflict (one writer each), see {@code docs/store-cosmos.md} for the rest.
 */
public final class CosmosContainers {

    /** The partition key path the store requires. */
    public static final String PARTITION_KEY_PATH = Names.PARTITION_KEY_PATH;

    private CosmosContainers() {
    }

    /** The recommended properties for a container named {@code containerName}. */
    public static CosmosContainerProperties properties(String containerName) {
        Objects.requireNonNull(containerName, "containerName");
        IndexingPolicy indexing = new IndexingPolicy().setAutomatic(true).setIndexingMode(IndexingMode.CONSISTENT);
        indexing.setIncludedPaths(List.of(
                new IncludedPath("/" + Names.INSTANCE + "/?"),
                new IncludedPath("/" + Names.KIND + "/?"),
                new IncludedPath("/" + Names.WRITER + "/?"),
                new IncludedPath("/" + Names.PENDING + "/writer/?"),
                new IncludedPath("/" + Names.OWNER + "/?")));
        indexing.setExcludedPaths(List.of(new ExcludedPath("/*")));
        indexing.setCompositeIndexes(List.of(
                List.of(ascending(Names.INSTANCE), ascending(Names.ID)),
                List.of(ascending(Names.OWNER), ascending(Names.PK))));
        CosmosContainerProperties properties = new CosmosContainerProperties(containerName, PARTITION_KEY_PATH);
        properties.setIndexingPolicy(indexing);
        return properties;
    }

    private static CompositePath ascending(String field) {
        return new CompositePath().setPath("/" + field).setOrder(CompositePathSortOrder.ASCENDING);
    }

    /**
     * Creates the container in {@code database} with {@link #properties} unless it exists (an existing container is
     * returned as it is).
     *
     * @param throughput the container's provisioned or autoscale throughput; null to share the database's
     */
    public static CosmosAsyncContainer createIfNotExists(CosmosAsyncDatabase database, String containerName,
            ThroughputProperties throughput) {
        Objects.requireNonNull(database, "database");
        if (throughput == null) {
            database.createContainerIfNotExists(properties(containerName)).block();
        } else {
            database.createContainerIfNotExists(properties(containerName), throughput).block();
        }
        return database.getContainer(containerName);
    }

    /** As {@link #createIfNotExists(CosmosAsyncDatabase, String, ThroughputProperties)}, for the synchronous client. */
    public static CosmosContainer createIfNotExists(CosmosDatabase database, String containerName,
            ThroughputProperties throughput) {
        Objects.requireNonNull(database, "database");
        if (throughput == null) {
            database.createContainerIfNotExists(properties(containerName));
        } else {
            database.createContainerIfNotExists(properties(containerName), throughput);
        }
        return database.getContainer(containerName);
    }
}
