-- Schema version 3 (PostgreSQL): the ownership registry. One row per device with its owner (tenant), the DPS
-- instance active for it and its claim code (hashed), and one row per transfer between owners. Additive: the
-- inventory tables are not touched.

CREATE TABLE multiscope_ownership (
    registration_id    varchar(128) COLLATE "C" NOT NULL PRIMARY KEY,
    owner_id           varchar(128) COLLATE "C" NOT NULL,
    active_instance_id varchar(64),
    claim_hash         varchar(256),
    claim_expires_at   timestamptz,
    claimed_by         varchar(256),
    claimed_at         timestamptz,
    version            bigint NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CONSTRAINT multiscope_ownership_claim CHECK ((claim_hash IS NULL) = (claim_expires_at IS NULL)),
    CONSTRAINT multiscope_ownership_claim_use CHECK ((claimed_by IS NULL) = (claimed_at IS NULL)
        AND (claimed_by IS NULL OR claim_hash IS NOT NULL))
);

-- Paging through an owner's devices in registration-id order: a range scan from (owner, last id seen).
CREATE INDEX multiscope_ownership_by_owner ON multiscope_ownership (owner_id, registration_id);

-- A device's history is a range of the primary key. Transfers append under the lock of the device's row, so the
-- foreign key's check never waits.
CREATE TABLE multiscope_ownership_transfer (
    registration_id  varchar(128) COLLATE "C" NOT NULL REFERENCES multiscope_ownership (registration_id),
    sequence_number  bigint NOT NULL CHECK (sequence_number >= 1),
    from_owner_id    varchar(128) COLLATE "C" NOT NULL,
    to_owner_id      varchar(128) COLLATE "C" NOT NULL,
    from_instance_id varchar(64),
    to_instance_id   varchar(64),
    actor            varchar(256) NOT NULL,
    transferred_at   timestamptz NOT NULL,
    PRIMARY KEY (registration_id, sequence_number)
);
