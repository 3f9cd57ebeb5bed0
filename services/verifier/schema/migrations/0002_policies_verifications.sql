-- The verifier's records: every policy version it loaded, and every verification it ran.
-- Identifiers compare byte by byte (COLLATE "C"), so paging order does not depend on the
-- database's locale and matches the in-memory store.

-- One row per policy version. The document is kept byte for byte as loaded, with its SHA-256
-- (lowercase hex); a version never changes content (the store refuses a different document
-- under a known version: the operator must bump the version). first_loaded / last_loaded are
-- the earliest and latest load times recorded for it; LatestPolicy is the greatest last_loaded.
CREATE TABLE verifier.policy_versions (
  version text COLLATE "C" PRIMARY KEY CHECK (version ~ '^[!-~]{1,128}$'),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  document bytea NOT NULL,
  first_loaded timestamptz NOT NULL,
  last_loaded timestamptz NOT NULL,
  CHECK (first_loaded <= last_loaded)
);
CREATE INDEX policy_versions_by_last_loaded ON verifier.policy_versions (last_loaded, version);
-- The runtime role may add versions and record later loads, never rewrite or delete one.
REVOKE UPDATE, DELETE, TRUNCATE ON verifier.policy_versions FROM bulwark_verifier;
GRANT UPDATE (first_loaded, last_loaded) ON verifier.policy_versions TO bulwark_verifier;

-- One row per verification, written once. The report is the engine's, stored as opaque bytes.
-- A PASS needs at least one passed check and no failed one. Rows are deleted only by expiry.
CREATE TABLE verifier.verifications (
  verification_id text COLLATE "C" PRIMARY KEY
    CHECK (verification_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  task_id text COLLATE "C" NOT NULL CHECK (task_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  task_type text NOT NULL CHECK (task_type ~ '^[!-~]{1,128}$'),
  verdict text NOT NULL CHECK (verdict IN ('PASS', 'FAIL')),
  policy_version text COLLATE "C" NOT NULL REFERENCES verifier.policy_versions,
  report bytea NOT NULL,
  checks_passed integer NOT NULL CHECK (checks_passed >= 0),
  checks_failed integer NOT NULL CHECK (checks_failed >= 0),
  created timestamptz NOT NULL,
  CHECK (verdict <> 'PASS' OR (checks_passed > 0 AND checks_failed = 0))
);
-- Newest-first listing of all verifications (scanned backwards) and expiry (forwards).
CREATE INDEX verifications_by_created ON verifier.verifications (created, verification_id);
-- Newest-first listing of one task's verifications.
CREATE INDEX verifications_by_task ON verifier.verifications (task_id, created, verification_id);
-- Verdicts are history: the runtime role may add and expire them, never edit one.
REVOKE UPDATE, TRUNCATE ON verifier.verifications FROM bulwark_verifier;
