-- Replay protection shared by every auth replica (issue 13 item 6; libraries/hawk/nonce_cache.h,
-- services/auth/store/postgres_nonce_store.h). A row is one accepted Hawk (id, ts, nonce)
-- triple, keyed by the same 16-byte digest the in-process cache uses, kept until
-- `forget_after` (the request's ts plus the clock skew; after that the timestamp is stale
-- anyway). The purge deletes expired rows in bounded batches.
--
-- UNLOGGED: a nonce is written on every signed request, and a WAL record (and its fsync) per
-- request would make authentication as slow as the disk. The price: after a PostgreSQL crash
-- (or a failover to a standby, where unlogged tables are empty) every row is gone, so
-- headers accepted before the crash could be replayed once while their ts stays fresh. That is
-- what nonce_epoch is for.
CREATE UNLOGGED TABLE auth.replay_nonces (
  digest bytea PRIMARY KEY CHECK (octet_length(digest) = 16),
  forget_after timestamptz NOT NULL
);
CREATE INDEX replay_nonces_forget_after ON auth.replay_nonces (forget_after);

-- One row saying since when replay_nonces is complete. It is unlogged too, so a crash that
-- empties replay_nonces empties it at the same moment: a store that finds it missing knows
-- the nonces were lost, writes the current time, and from then on every replica refuses
-- requests whose ts is older than that time (they may have been accepted before the crash).
-- The runtime role may read it and write it once; it can never move the time back.
CREATE UNLOGGED TABLE auth.replay_epoch (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  -- Microseconds since the Unix epoch; 0 on a fresh schema (there was nothing to lose).
  since_micros bigint NOT NULL
);
INSERT INTO auth.replay_epoch (since_micros) VALUES (0);
REVOKE UPDATE, DELETE, TRUNCATE ON auth.replay_epoch FROM bulwark_auth;
