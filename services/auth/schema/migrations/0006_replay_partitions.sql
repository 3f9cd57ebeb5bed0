-- Replay protection divided among the auth replicas (issue 13 item 6;
-- services/auth/store/replay_partition_store.h, postgres_replay_partition_store.h). The space of
-- nonce digests (auth.replay_nonces.digest) is cut into 64 partitions by the top six bits of a
-- digest's first byte; each partition is leased to at most one replica at a time, which alone
-- accepts nonces of that partition, from memory, and writes them behind to auth.replay_nonces
-- so that the partition's next owner loads them before it accepts anything.
--
-- Both tables are regular (logged): a lease must survive a PostgreSQL crash, or two replicas
-- could own one partition after it (the nonces are what a crash may lose; replay_epoch says so).
-- All lease and membership times are PostgreSQL's now(), never a replica's clock.

-- One row per partition, all 64 created here; a partition nobody holds has a NULL replica and a
-- lease that ended at -infinity. A lease is live while lease_until >= now(); a replica claims a
-- partition whose lease is not live, renews only live leases it holds, and releases by setting
-- the row back to nobody. The runtime role may read and update these rows, never add or remove
-- one (the partition count is fixed by the digest split).
CREATE TABLE auth.replay_partitions (
  partition int PRIMARY KEY CHECK (partition >= 0 AND partition < 64),
  -- The owner's replica id and the address where it answers for the partition; NULL when free.
  replica text,
  address text,
  lease_until timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO auth.replay_partitions (partition) SELECT generate_series(0, 63);
REVOKE INSERT, DELETE, TRUNCATE ON auth.replay_partitions FROM bulwark_auth;

-- The replicas alive now, so each can take its fair share of the partitions: a replica
-- heartbeats its row forward and deletes the rows whose time has passed.
CREATE TABLE auth.replay_replicas (
  replica text PRIMARY KEY,
  address text NOT NULL,
  alive_until timestamptz NOT NULL
);
