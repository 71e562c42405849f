-- Multiscope inventory, schema version 1 (PostgreSQL).
-- Identifiers compare bytewise (COLLATE "C"): ids are ASCII, order must match Java's String order for paging, and
-- "C" keeps the indexes compact and their comparisons cheap.

CREATE TABLE multiscope_instance (
    instance_id              varchar(64) COLLATE "C" NOT NULL PRIMARY KEY,
    id_scope                 varchar(64) NOT NULL,
    global_endpoint          varchar(255) NOT NULL,
    region                   varchar(64) NOT NULL,
    tenant_pool              varchar(128),
    tags                     varchar(4000) NOT NULL,
    weight                   integer NOT NULL,
    state                    varchar(16) NOT NULL,
    capacity                 bigint NOT NULL,
    registrations_per_minute integer NOT NULL,
    assigned_count           bigint NOT NULL DEFAULT 0,
    updated_at               timestamptz NOT NULL
);

-- No foreign key to multiscope_instance: every insert would take a share lock on its instance's row, turning that
-- row into a point of contention at high assignment rates. Instances are never deleted.
CREATE TABLE multiscope_assignment (
    registration_id varchar(128) COLLATE "C" NOT NULL PRIMARY KEY,
    tenant          varchar(256),
    instance_id     varchar(64) COLLATE "C" NOT NULL,
    id_scope        varchar(64) NOT NULL,
    global_endpoint varchar(255) NOT NULL,
    assigned_hub    varchar(255),
    device_id       varchar(128),
    state           varchar(24) NOT NULL,
    version         bigint NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

-- Paging through an instance's devices in registration-id order (drain, rebalance): an index range scan that
-- starts at (instance, last id seen) and stops after one page, whatever the table's size.
CREATE INDEX multiscope_assignment_by_instance ON multiscope_assignment (instance_id, registration_id);
