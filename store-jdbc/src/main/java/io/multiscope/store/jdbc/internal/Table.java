package io.multiscope.store.jdbc.internal;

import java.util.List;

/**
 * A table's name, its key column and the columns written when a row is inserted, in binding order.
 */
public record Table(String name, String key, List<String> columns) {

    public Table {
        columns = List.copyOf(columns);
        if (!columns.contains(key)) {
            throw new IllegalArgumentException("key " + key + " is not among the columns of " + name);
        }
    }

    public String columnList() {
        return String.join(", ", columns);
    }

    public String placeholders() {
        return String.join(", ", java.util.Collections.nCopies(columns.size(), "?"));
    }

    static final Table INSTANCE = new Table("multiscope_instance", "instance_id", List.of("instance_id", "id_scope",
            "global_endpoint", "region", "tenant_pool", "tags", "weight", "state", "capacity",
            "registrations_per_minute", "updated_at"));

    static final Table ASSIGNMENT = new Table("multiscope_assignment", "registration_id", List.of("registration_id",
            "tenant", "instance_id", "id_scope", "global_endpoint", "assigned_hub", "device_id", "state", "version",
            "created_at", "updated_at"));

    static final Table OWNERSHIP = new Table("multiscope_ownership", "registration_id", List.of("registration_id",
            "owner_id", "active_instance_id", "claim_hash", "claim_expires_at", "claimed_by", "claimed_at", "version",
            "created_at", "updated_at"));

    static final String OWNERSHIP_TRANSFER = "multiscope_ownership_transfer";

    static final String COUNTER = "multiscope_instance_counter";

    static final String SCHEMA_VERSION = "multiscope_schema_version";
}
