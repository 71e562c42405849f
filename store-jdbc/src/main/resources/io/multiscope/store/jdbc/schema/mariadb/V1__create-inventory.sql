-- Multiscope inventory, schema version 1 (MariaDB/MySQL, InnoDB).
-- Ids are ASCII with a binary collation: compact index entries, case-sensitive instance ids, and an order that
-- matches Java's String order for paging. Free text is utf8mb4 stored byte for byte (utf8mb4_bin).

CREATE TABLE multiscope_instance (
    instance_id              VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    id_scope                 VARCHAR(64) NOT NULL,
    global_endpoint          VARCHAR(255) NOT NULL,
    region                   VARCHAR(64) NOT NULL,
    tenant_pool              VARCHAR(128),
    tags                     VARCHAR(4000) NOT NULL,
    weight                   INT NOT NULL,
    state                    VARCHAR(16) NOT NULL,
    capacity                 BIGINT NOT NULL,
    registrations_per_minute INT NOT NULL,
    assigned_count           BIGINT NOT NULL DEFAULT 0,
    updated_at               DATETIME(6) NOT NULL,
    PRIMARY KEY (instance_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- No foreign key to multiscope_instance: InnoDB would lock the instance's row on every insert. Instances are never
-- deleted. The primary key is the clustered index: a lookup by registration id reads one B-tree path.
CREATE TABLE multiscope_assignment (
    registration_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    tenant          VARCHAR(256),
    instance_id     VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    id_scope        VARCHAR(64) NOT NULL,
    global_endpoint VARCHAR(255) NOT NULL,
    assigned_hub    VARCHAR(255),
    device_id       VARCHAR(128),
    state           VARCHAR(24) NOT NULL,
    version         BIGINT NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    PRIMARY KEY (registration_id),
    -- Paging through an instance's devices in registration-id order.
    KEY multiscope_assignment_by_instance (instance_id, registration_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
