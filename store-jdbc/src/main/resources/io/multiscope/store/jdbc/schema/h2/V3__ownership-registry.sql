-- Schema version 3 (H2): the ownership registry. One row per device with its owner (tenant), the DPS instance
-- active for it and its claim code (hashed), and one row per transfer between owners. Additive: the inventory tables
-- are not touched. H2 commits each statement: if this script stops half-way, drop the tables it created and run the
-- migration again.

CREATE TABLE multiscope_ownership (
    registration_id    VARCHAR(128) NOT NULL PRIMARY KEY,
    owner_id           VARCHAR(128) NOT NULL,
    active_instance_id VARCHAR(64),
    claim_hash         VARCHAR(256),
    claim_expires_at   TIMESTAMP(6) WITH TIME ZONE,
    claimed_by         VARCHAR(256),
    claimed_at         TIMESTAMP(6) WITH TIME ZONE,
    version            BIGINT NOT NULL,
    created_at         TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    updated_at         TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    CONSTRAINT multiscope_ownership_claim CHECK ((claim_hash IS NULL) = (claim_expires_at IS NULL)),
    CONSTRAINT multiscope_ownership_claim_use CHECK ((claimed_by IS NULL) = (claimed_at IS NULL)
        AND (claimed_by IS NULL OR claim_hash IS NOT NULL))
);

-- Paging through an owner's devices in registration-id order.
CREATE INDEX multiscope_ownership_by_owner ON multiscope_ownership (owner_id, registration_id);

CREATE TABLE multiscope_ownership_transfer (
    registration_id  VARCHAR(128) NOT NULL,
    sequence_number  BIGINT NOT NULL CHECK (sequence_number >= 1),
    from_owner_id    VARCHAR(128) NOT NULL,
    to_owner_id      VARCHAR(128) NOT NULL,
    from_instance_id VARCHAR(64),
    to_instance_id   VARCHAR(64),
    actor            VARCHAR(256) NOT NULL,
    transferred_at   TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    PRIMARY KEY (registration_id, sequence_number),
    CONSTRAINT multiscope_ownership_transfer_device FOREIGN KEY (registration_id)
        REFERENCES multiscope_ownership (registration_id)
);
