-- Schema version 2 (PostgreSQL): each instance's count moves from one column of its row, which every assignment
-- on the instance had to update, to counter shards: one row per (instance, shard), each holding part of the count
-- and a share of the capacity. The store spreads the count over its configured number of shards when it starts.

CREATE TABLE multiscope_instance_counter (
    instance_id    varchar(64) COLLATE "C" NOT NULL REFERENCES multiscope_instance (instance_id),
    shard          integer NOT NULL,
    assigned       bigint NOT NULL CHECK (assigned >= 0),
    capacity_share bigint NOT NULL CHECK (capacity_share >= 0),
    PRIMARY KEY (instance_id, shard)
) WITH (fillfactor = 50); -- room on each page for heap-only (HOT) updates of these constantly updated rows

INSERT INTO multiscope_instance_counter (instance_id, shard, assigned, capacity_share)
SELECT instance_id, 0, assigned_count, capacity FROM multiscope_instance;

ALTER TABLE multiscope_instance DROP COLUMN assigned_count;
