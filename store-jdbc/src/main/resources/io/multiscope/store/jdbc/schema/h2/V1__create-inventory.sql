-- Multiscope inventory, schema version 1 (H2).

CREATE TABLE multiscope_instance (
    instance_id              VARCHAR(64) NOT NULL PRIMARY KEY,
    id_scope                 VARCHAR(64) NOT NULL,
    global_endpoint          VARCHAR(255) NOT NULL,
    region                   VARCHAR(64) NOT NULL,
    tenant_pool              VARCHAR(128),
    tags                     VARCHAR(4000) NOT NULL,
    weight                   INTEGER NOT NULL,
    state                    VARCHAR(16) NOT NULL,
    capacity                 BIGINT NOT NULL,
    registrations_per_minute INTEGER NOT NULL,
    assigned_count           BIGINT DEFAULT 0 NOT NULL,
    updated_at               TIMESTAMP(6) WITH TIME ZONE NOT NULL
);

-- No foreign key to multiscope_instance: it would make every insert check and lock the instance's row; instances
-- are never deleted.
CREATE TABLE multiscope_assignment (
    registration_id VARCHAR(128) NOT NULL PRIMARY KEY,
    tenant          VARCHAR(256),
    instance_id     VARCHAR(64) NOT NULL,
    id_scope        VARCHAR(64) NOT NULL,
    global_endpoint VARCHAR(255) NOT NULL,
    assigned_hub    VARCHAR(255),
    device_id       VARCHAR(128),
    state           VARCHAR(24) NOT NULL,
    version         BIGINT NOT NULL,
    created_at      TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP(6) WITH TIME ZONE NOT NULL
);

-- Paging through an instance's devices in registration-id order.
CREATE INDEX multiscope_assignment_by_instance ON multiscope_assignment (instance_id, registration_id);
