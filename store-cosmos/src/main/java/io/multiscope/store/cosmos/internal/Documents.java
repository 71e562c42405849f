package io.multiscope.store.cosmos.internal;

import com.azure.cosmos.CosmosAsyncContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosItemRequestOptions;
import com.azure.cosmos.models.CosmosItemResponse;
import com.azure.cosmos.models.CosmosPatchItemRequestOptions;
import com.azure.cosmos.models.CosmosPatchOperations;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.FeedResponse;
import com.azure.cosmos.models.PartitionKey;
import com.azure.cosmos.models.SqlQuerySpec;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.multiscope.core.MultiscopeException;
import io.multiscope.store.cosmos.RetryHook;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Blocking access to one container: point reads, conditional writes, partition reads and queries, each run through
 * the {@link RetryHook} and metered. Expected outcomes of conditional writes (404, 409, 412) are returned as a
 * {@link Status}; everything else becomes a {@link io.multiscope.store.cosmos.CosmosStoreException}.
 */
public final class Documents {

    /** How a write ended. */
    public enum Status {
        OK,
        NOT_FOUND,
        CONFLICT,
        PRECONDITION_FAILED
    }

    /** A document and its etag. */
    public record Stored(ObjectNode body, String etag) {
    }

    /** A write's status and, if it succeeded, the document's new etag. */
    public record Write(Status status, String etag) {
        public boolean ok() {
            return status == Status.OK;
        }
    }

    private final CosmosAsyncContainer container;
    private final RetryHook retry;
    private final ChargeMeter meter;

    public Documents(CosmosAsyncContainer container, RetryHook retry, ChargeMeter meter) {
        this.container = Objects.requireNonNull(container, "container");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.meter = Objects.requireNonNull(meter, "meter");
    }

    public CosmosAsyncContainer container() {
        return container;
    }

    public Optional<Stored> read(String id, String partitionKey) {
        return call("read of '" + id + "'", id, partitionKey, () -> {
            try {
                CosmosItemResponse<ObjectNode> r =
                        container.readItem(id, new PartitionKey(partitionKey), ObjectNode.class).block();
                meter.add(r.getRequestCharge());
                return Optional.of(new Stored(r.getItem(), r.getETag()));
            } catch (CosmosException e) {
                if (e.getStatusCode() == 404) {
                    meter.add(e.getRequestCharge());
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** Creates the document unless one with its id exists in its partition ({@link Status#CONFLICT}). */
    public Write create(ObjectNode doc, String partitionKey) {
        String id = doc.get(Names.ID).asText();
        return write("create of '" + id + "'", id, partitionKey,
                () -> container.createItem(doc, new PartitionKey(partitionKey), new CosmosItemRequestOptions())
                        .block());
    }

    /** Replaces the document if its etag is still {@code etag}. */
    public Write replace(ObjectNode doc, String partitionKey, String etag) {
        String id = doc.get(Names.ID).asText();
        return write("replace of '" + id + "'", id, partitionKey, () -> container.replaceItem(doc, id,
                new PartitionKey(partitionKey), new CosmosItemRequestOptions().setIfMatchETag(etag)).block());
    }

    /** Deletes the document, if its etag is still {@code etag} (any version if null). */
    public Write delete(String id, String partitionKey, String etag) {
        CosmosItemRequestOptions options = new CosmosItemRequestOptions();
        if (etag != null) {
            options.setIfMatchETag(etag);
        }
        return write("delete of '" + id + "'", id, partitionKey,
                () -> container.deleteItem(id, new PartitionKey(partitionKey), options).block());
    }

    /**
     * Patches the document if {@code condition} (a {@code FROM c WHERE ...} clause, may be null) holds and, if
     * {@code etag} is not null, its etag matches; otherwise {@link Status#PRECONDITION_FAILED}.
     */
    public Write patch(String id, String partitionKey, CosmosPatchOperations operations, String condition,
            String etag) {
        CosmosPatchItemRequestOptions options = new CosmosPatchItemRequestOptions();
        if (condition != null) {
            options.setFilterPredicate(condition);
        }
        if (etag != null) {
            options.setIfMatchETag(etag);
        }
        return write("patch of '" + id + "'", id, partitionKey, () -> container
                .patchItem(id, new PartitionKey(partitionKey), operations, options, ObjectNode.class).block());
    }

    /** Every document of one logical partition. */
    public List<ObjectNode> readPartition(String partitionKey) {
        return call("read of partition '" + partitionKey + "'", null, partitionKey, () -> {
            List<ObjectNode> items = new ArrayList<>();
            for (FeedResponse<ObjectNode> page : container
                    .readAllItems(new PartitionKey(partitionKey), new CosmosQueryRequestOptions(), ObjectNode.class)
                    .byPage().toIterable()) {
                meter.add(page.getRequestCharge());
                items.addAll(page.getResults());
            }
            return items;
        });
    }

    /** The results of a (cross-partition) query, at most {@code maxItems} of them. */
    public List<ObjectNode> query(String description, SqlQuerySpec query, int maxItems) {
        return call("query " + description, null, null, () -> {
            List<ObjectNode> items = new ArrayList<>();
            int pageSize = Math.min(Math.max(maxItems, 1), 1_000);
            for (FeedResponse<ObjectNode> page : container
                    .queryItems(query, new CosmosQueryRequestOptions(), ObjectNode.class).byPage(pageSize)
                    .toIterable()) {
                meter.add(page.getRequestCharge());
                for (ObjectNode item : page.getResults()) {
                    if (items.size() < maxItems) {
                        items.add(item);
                    }
                }
                if (items.size() >= maxItems) {
                    break;
                }
            }
            return items;
        });
    }

    private Write write(String operation, String id, String partitionKey,
            Supplier<CosmosItemResponse<?>> request) {
        return call(operation, id, partitionKey, () -> {
            try {
                CosmosItemResponse<?> r = request.get();
                meter.add(r.getRequestCharge());
                return new Write(Status.OK, r.getETag());
            } catch (CosmosException e) {
                Status status = switch (e.getStatusCode()) {
                    case 404 -> Status.NOT_FOUND;
                    case 409 -> Status.CONFLICT;
                    case 412 -> Status.PRECONDITION_FAILED;
                    default -> null;
                };
                if (status == null) {
                    throw e;
                }
                meter.add(e.getRequestCharge());
                return new Write(status, null);
            }
        });
    }

    /** Runs one request through the retry hook, turning SDK failures into store exceptions. */
    private <T> T call(String operation, String id, String partitionKey, Supplier<T> request) {
        return retry.run(operation, () -> {
            try {
                return request.get();
            } catch (CosmosException e) {
                meter.add(e.getRequestCharge());
                throw Errors.of(e, operation, id, partitionKey == null ? "|" : partitionKey);
            } catch (MultiscopeException e) {
                throw e;
            } catch (RuntimeException e) {
                throw Errors.unexpected(e, operation);
            }
        });
    }
}
