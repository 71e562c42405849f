-- Schema version 2 (H2): each instance's count moves from a column of its row to counter shards, one row per
-- (instance, shard) holding part of the count and a share of the capacity. The store spreads the count over its
-- configured number of shards when it starts.

CREATE TABLE multiscope_instance_counter (
    instance_id    VARCHAR(64) NOT NULL,
    shard          INTEGER NOT NULL,
    assigned       BIGINT NOT NULL CHECK (assigned >= 0),
    capacity_share BIGINT NOT NULL CHECK (capacity_share >= 0),
    PRIMARY KEY (instance_id, shard),
    CONSTRAINT multiscope_counter_instance FOREIGN KEY (instance_id) REFERENCES multiscope_instance (instance_id)
);

INSERT INTO multiscope_instance_counter (instance_id, shard, assigned, capacity_share)
SELECT instance_id, 0, assigned_count, capacity FROM multiscope_instance;

ALTER TABLE multiscope_instance DROP COLUMN assigned_count;
