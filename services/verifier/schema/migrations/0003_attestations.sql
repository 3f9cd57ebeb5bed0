-- Signed attestations (docs/attestations.md): one row per passed verification that had artifacts
-- to attest, keyed by its verification id. The envelope is the DSSE envelope exactly as issued
-- (opaque bytes here; consumers check its signature against the verifier's published keys).
-- No foreign key to verifier.verifications: attestations outlive verification records, which
-- expire sooner, and the envelope is self-contained.
CREATE TABLE verifier.attestations (
  verification_id text COLLATE "C" PRIMARY KEY
    CHECK (verification_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  task_id text COLLATE "C" NOT NULL CHECK (task_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  run_id integer NOT NULL CHECK (run_id >= 0),
  key_id text COLLATE "C" NOT NULL CHECK (key_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
  envelope bytea NOT NULL CHECK (octet_length(envelope) BETWEEN 1 AND 4194304),
  created timestamptz NOT NULL,
  expires timestamptz NOT NULL,
  CHECK (expires > created)
);
-- Newest-first listing of all attestations (scanned backwards).
CREATE INDEX attestations_by_created ON verifier.attestations (created, verification_id);
-- A task's newest attestation and its newest-first listing.
CREATE INDEX attestations_by_task ON verifier.attestations (task_id, created, verification_id);
-- Expiry, soonest first, and the latest expiry per signing key (when an old key may be dropped).
CREATE INDEX attestations_by_expiry ON verifier.attestations (expires, verification_id);
CREATE INDEX attestations_by_key ON verifier.attestations (key_id, expires);
-- Issued attestations are history: the runtime role may add and expire them, never edit one.
REVOKE UPDATE, TRUNCATE ON verifier.attestations FROM bulwark_verifier;
