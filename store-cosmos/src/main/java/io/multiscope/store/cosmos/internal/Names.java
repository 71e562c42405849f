package io.multiscope.store.cosmos.internal;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Document ids, partition key values, kinds and field names. Every value a query or patch refers to is spelt here.
 *
 * <p>Device documents use the registration id as id and partition key. Everything else lives in partitions whose key
 * starts with {@code '|'}, a character registration ids never contain, so no device can collide with them.
 */
public final class Names {

    /** The only partition key path of the container. */
    public static final String PARTITION_KEY_PATH = "/pk";

    /** Partition of the instance registry (one small document per DPS instance). */
    public static final String REGISTRY_PARTITION = "|registry";

    public static final String KIND_DEVICE = "device";
    public static final String KIND_INSTANCE = "instance";
    public static final String KIND_SHARD = "shard";

    /** The document schema this version writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    // fields shared by every document
    public static final String ID = "id";
    public static final String PK = "pk";
    public static final String KIND = "kind";
    public static final String SCHEMA = "schema";

    // device documents
    public static final String INSTANCE = "instance";
    public static final String TENANT = "tenant";
    public static final String ID_SCOPE = "idScope";
    public static final String GLOBAL_ENDPOINT = "globalEndpoint";
    public static final String HUB = "hub";
    public static final String DEVICE_ID = "deviceId";
    public static final String STATE = "state";
    public static final String VERSION = "version";
    public static final String CREATED_AT = "createdAt";
    public static final String UPDATED_AT = "updatedAt";
    /** Id of the operation that last wrote the document: tells a retried write it already happened. */
    public static final String LAST_OP = "op";
    /** Marker of an operation in progress; see {@link Marker}. */
    public static final String PENDING = "pending";

    // instance documents (plus ID_SCOPE, GLOBAL_ENDPOINT, STATE)
    public static final String REGION = "region";
    public static final String TENANT_POOL = "tenantPool";
    public static final String TAGS = "tags";
    public static final String WEIGHT = "weight";
    public static final String CAPACITY = "capacity";
    public static final String REGISTRATIONS_PER_MINUTE = "registrationsPerMinute";
    /** Capacity granted to each writer: writer id to slots. */
    public static final String GRANTS = "grants";

    // counter shards. Lower-case names only: the test server lower-cases patch conditions before evaluating them.
    public static final String SHARD_OF = "shardOf";
    public static final String WRITER = "writer";
    public static final String ASSIGNED = "assigned";
    public static final String CEILING = "ceiling";
    /** Journal of counter changes not yet confirmed: operation id to {@code {d, rid, at}}. */
    public static final String OPS = "ops";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {
    }

    public static String countersPartition(String instanceId) {
        return "|counters|" + instanceId;
    }

    public static String shardId(String instanceId, String writerId) {
        return "|shard|" + instanceId + "|" + writerId;
    }

    /**
     * A new operation id: lower-case hex, so it can appear in a patch condition unchanged (see {@link #OPS}).
     */
    public static String newOperationId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return "o" + HexFormat.of().formatHex(bytes);
    }

    /** The registration id a document concerns, if it is a device document. */
    static String registrationIdOf(String id, String partitionKey) {
        return partitionKey.startsWith("|") ? null : id;
    }

    /** The instance a document concerns, if it is an instance document or counter shard. */
    static String instanceIdOf(String id, String partitionKey) {
        if (REGISTRY_PARTITION.equals(partitionKey)) {
            return id;
        }
        String counters = "|counters|";
        return partitionKey.startsWith(counters) ? partitionKey.substring(counters.length()) : null;
    }
}
