-- The nonces owners write behind for the next owner of a partition (partitioned_nonce_cache.h):
-- one row per partition per batch (tens of milliseconds of one owner's nonces), not one per
-- nonce, so that a signed request costs the database almost nothing. `nonces` is a run of
-- 24-byte entries: the 16-byte digest (InMemoryNonceCache::Digest) and its forget_after, in
-- microseconds since the Unix epoch, big-endian. `forget_after` is the block's latest; once it
-- has passed the whole block is stale and the purge deletes it. UNLOGGED, as replay_nonces, for
-- the same reason and with the same answer to a crash (auth.replay_epoch).
CREATE UNLOGGED TABLE auth.replay_nonce_blocks (
  partition int NOT NULL CHECK (partition >= 0 AND partition < 64),
  forget_after timestamptz NOT NULL,
  nonces bytea NOT NULL CHECK (octet_length(nonces) > 0 AND octet_length(nonces) % 24 = 0)
);
CREATE INDEX replay_nonce_blocks_partition ON auth.replay_nonce_blocks (partition, forget_after);
CREATE INDEX replay_nonce_blocks_forget_after ON auth.replay_nonce_blocks (forget_after);
REVOKE UPDATE, TRUNCATE ON auth.replay_nonce_blocks FROM bulwark_auth;
