package io.multiscope.store.cosmos.internal;

import com.azure.cosmos.models.SqlParameter;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.DeviceAssignment;
import io.multiscope.core.store.InventoryPage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Pages through an instance's devices in registration-id order for drain and rebalance: keyset paging ({@code id >
 * last}) with {@code TOP} and {@code ORDER BY}, which Cosmos DB serves from the composite index (instance, id) that
 * {@link io.multiscope.store.cosmos.CosmosContainers} sets up. No OFFSET (its cost grows with the offset), no GROUP
 * BY or DISTINCT.
 */
public final class DevicePages {

    public static final int MAX_PAGE = 10_000;

    private static final String QUERY = "SELECT TOP @top * FROM c WHERE c.instance = @instance AND c.id > @after "
            + "ORDER BY c.instance ASC, c.id ASC";

    private final Documents devices;
    private final InstanceRegistry registry;

    public DevicePages(Documents devices, InstanceRegistry registry) {
        this.devices = Objects.requireNonNull(devices, "devices");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    public InventoryPage page(String instanceId, Optional<String> afterRegistrationId, int limit) {
        Objects.requireNonNull(afterRegistrationId, "afterRegistrationId");
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE + ", was " + limit);
        }
        registry.recent(instanceId); // unknown instance: UnknownInstanceException
        // One more than asked tells whether another page follows.
        SqlQuerySpec query = new SqlQuerySpec(QUERY, List.of(new SqlParameter("@top", limit + 1),
                new SqlParameter("@instance", instanceId), new SqlParameter("@after", afterRegistrationId.orElse(""))));
        List<ObjectNode> rows = devices.query("devices of instance '" + instanceId + "'", query, limit + 1);
        List<DeviceAssignment> items = new ArrayList<>(Math.min(rows.size(), limit));
        for (ObjectNode row : rows.subList(0, Math.min(rows.size(), limit))) {
            items.add(DeviceDocs.view(new Documents.Stored(row, row.path("_etag").asText(null))).assignment());
        }
        Optional<String> next = rows.size() > limit
                ? Optional.of(items.get(items.size() - 1).registrationId()) : Optional.empty();
        return new InventoryPage(items, next);
    }

    /** Device documents naming the instance, and how many of them carry an operation's mark. */
    public long[] countDocuments(String instanceId) {
        registry.recent(instanceId);
        return new long[] {count(instanceId, ""), count(instanceId, " AND IS_DEFINED(c.pending.writer)")};
    }

    private long count(String instanceId, String condition) {
        SqlQuerySpec query = new SqlQuerySpec("SELECT COUNT(1) AS n FROM c WHERE c.instance = @instance" + condition,
                List.of(new SqlParameter("@instance", instanceId)));
        List<ObjectNode> rows = devices.query("device count of '" + instanceId + "'", query, 1);
        return rows.isEmpty() ? 0 : rows.get(0).path("n").asLong();
    }
}
