-- Schema version 3 (MariaDB/MySQL): the ownership registry. One row per device with its owner (tenant), the DPS
-- instance active for it and its claim code (hashed), and one row per transfer between owners. Additive: the
-- inventory tables are not touched. MariaDB commits each DDL statement: if this script stops half-way, fix the
-- cause, drop multiscope_ownership_transfer and multiscope_ownership and run the migration again.
-- Registration and owner ids are ASCII, checked before every write; instance ids, actors and installers are free
-- text (utf8mb4_bin), as elsewhere.

CREATE TABLE multiscope_ownership (
    registration_id    VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    owner_id           VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    active_instance_id VARCHAR(64),
    claim_hash         VARCHAR(256),
    claim_expires_at   DATETIME(6),
    claimed_by         VARCHAR(256),
    claimed_at         DATETIME(6),
    version            BIGINT NOT NULL,
    created_at         DATETIME(6) NOT NULL,
    updated_at         DATETIME(6) NOT NULL,
    PRIMARY KEY (registration_id),
    -- Paging through an owner's devices in registration-id order.
    KEY multiscope_ownership_by_owner (owner_id, registration_id),
    CONSTRAINT multiscope_ownership_claim CHECK ((claim_hash IS NULL) = (claim_expires_at IS NULL)),
    CONSTRAINT multiscope_ownership_claim_use CHECK ((claimed_by IS NULL) = (claimed_at IS NULL)
        AND (claimed_by IS NULL OR claim_hash IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE multiscope_ownership_transfer (
    registration_id  VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sequence_number  BIGINT NOT NULL CHECK (sequence_number >= 1),
    from_owner_id    VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    to_owner_id      VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    from_instance_id VARCHAR(64),
    to_instance_id   VARCHAR(64),
    actor            VARCHAR(256) NOT NULL,
    transferred_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (registration_id, sequence_number),
    CONSTRAINT multiscope_ownership_transfer_device FOREIGN KEY (registration_id)
        REFERENCES multiscope_ownership (registration_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
