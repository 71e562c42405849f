package io.multiscope.store.cosmos.internal;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Document ids, partition key values, kinds and field names. Every value a query or patch refers to is spelt here.
 *
 * <p>Device documents use the registration id as id and partition key. A device's ownership record and transfer history
 * share its partition under ids that start with {@code '|'}. Everything else lives in partitions whose key starts with
 * {@code '|'}. Registration ids never contain {@code '|'}, so no device can collide with any of them.
 */
public final class Names {

    /** The only partition key path of the container. */
    public static final String PARTITION_KEY_PATH = "/pk";

    /** Partition of the instance registry (one small document per DPS instance). */
    public static final String REGISTRY_PARTITION = "|registry";

    public static final String KIND_DEVICE = "device";
    public static final String KIND_INSTANCE = "instance";
    public static final String KIND_SHARD = "shard";
    public static final String KIND_OWNERSHIP = "ownership";
    public static final String KIND_TRANSFER = "transfer";

    /** Id of a device's ownership record, in the device's partition. */
    public static final String OWNERSHIP_ID = "|ownership";

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

    // ownership records (plus VERSION, CREATED_AT, UPDATED_AT, LAST_OP). No field a device document has: the
    // device queries must never see them.
    /** The owner; with PK, the paging index of {@code ownedBy}. Absent from every other kind of document. */
    public static final String OWNER = "owner";
    /** The active DPS instance. */
    public static final String ACTIVE = "active";
    public static final String CLAIM = "claim";
    public static final String CLAIM_HASH = "hash";
    public static final String CLAIM_EXPIRES_AT = "expiresAt";
    public static final String CLAIM_BY = "by";
    public static final String CLAIM_AT = "at";
    /** The record's incarnation: set when it is registered, it ties history entries to it (not to a removed one). */
    public static final String INCARNATION = "inc";
    /** The newest transfer, kept in the record itself: the record and its newest entry change in one write. */
    public static final String LAST_TRANSFER = "last";
    /** On a removed record's tombstone: the id of the operation that removed it. */
    public static final String REMOVED_BY = "removedBy";

    // transfer entries (in LAST_TRANSFER and in history documents, which add INCARNATION)
    public static final String SEQUENCE = "seq";
    public static final String FROM_OWNER = "from";
    public static final String TO_OWNER = "to";
    public static final String FROM_ACTIVE = "fromActive";
    public static final String TO_ACTIVE = "toActive";
    public static final String ACTOR = "actor";
    public static final String AT = "at";

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

    /**
     * Id of history entry {@code sequence} of the ownership record {@code incarnation}, in the device's partition.
     * With the incarnation in the id, entries of a removed record never collide with those of the device registered
     * again.
     */
    public static String transferId(String incarnation, long sequence) {
        return "|transfer|" + incarnation + "|" + sequence;
    }

    /** The registration id a document concerns, if it is a device, ownership or history document. */
    static String registrationIdOf(String id, String partitionKey) {
        return partitionKey.startsWith("|") ? null : partitionKey;
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
