-- Schema version 2 (MariaDB/MySQL): each instance's count moves from a column of its row to counter shards, one row
-- per (instance, shard) holding part of the count and a share of the capacity. The store spreads the count over its
-- configured number of shards when it starts. MariaDB commits each DDL statement: if this script stops half-way,
-- fix the cause, drop multiscope_instance_counter and run the migration again.

CREATE TABLE multiscope_instance_counter (
    instance_id    VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    shard          INT NOT NULL,
    assigned       BIGINT NOT NULL CHECK (assigned >= 0),
    capacity_share BIGINT NOT NULL CHECK (capacity_share >= 0),
    PRIMARY KEY (instance_id, shard),
    CONSTRAINT multiscope_counter_instance FOREIGN KEY (instance_id) REFERENCES multiscope_instance (instance_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO multiscope_instance_counter (instance_id, shard, assigned, capacity_share)
SELECT instance_id, 0, assigned_count, capacity FROM multiscope_instance;

ALTER TABLE multiscope_instance DROP COLUMN assigned_count;
