-- Provenance that survives: every version of every hook definition, and fire records that name
-- the version they rendered and outlive the hook until they expire.

-- One row per version of a hook's definition, keyed by the SHA-256 (lowercase hex) of its
-- canonical JSON (services/hooks/store/hook_definition.h), which is kept byte for byte as text.
-- A version's content never changes. `retired` is when it stopped being the current version of
-- an existing hook (NULL while it is); the purge removes a retired version once no fire record
-- refers to it. Rows outlive the hook: there is no foreign key to hooks.hooks.
CREATE TABLE hooks.hook_versions (
  hook_group_id text NOT NULL,
  hook_id text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- 1, 2, ... per hook id, in the order the versions first appeared; never reused.
  sequence bigint NOT NULL CHECK (sequence > 0),
  definition text NOT NULL,
  created timestamptz NOT NULL,
  retired timestamptz,
  PRIMARY KEY (hook_group_id, hook_id, sha256),
  UNIQUE (hook_group_id, hook_id, sequence)
);
CREATE INDEX hook_versions_retired ON hooks.hook_versions (retired) WHERE retired IS NOT NULL;
-- The runtime role may add versions, retire them (and make a retired one current again) and
-- purge them, never rewrite one.
REVOKE UPDATE, TRUNCATE ON hooks.hook_versions FROM bulwark_hooks;
GRANT UPDATE (retired) ON hooks.hook_versions TO bulwark_hooks;

-- The last sequence number handed out per hook id. Kept when the hook and its versions are gone,
-- so a re-created hook continues the numbering.
CREATE TABLE hooks.hook_version_sequences (
  hook_group_id text NOT NULL,
  hook_id text NOT NULL,
  last_sequence bigint NOT NULL CHECK (last_sequence > 0),
  PRIMARY KEY (hook_group_id, hook_id)
);

-- The current version of each hook. NULL only for a hook stored before this migration, until
-- the hooks service's purge gives it its first version (computing the canonical JSON needs the
-- service's code).
ALTER TABLE hooks.hooks ADD COLUMN version_sha256 text;
ALTER TABLE hooks.hooks ADD CONSTRAINT hooks_current_version
  FOREIGN KEY (hook_group_id, hook_id, version_sha256) REFERENCES hooks.hook_versions;
CREATE INDEX hooks_unversioned ON hooks.hooks (hook_group_id, hook_id)
  WHERE version_sha256 IS NULL;

-- Fire records outlive RemoveHook: no more cascade from hooks.hooks. Each names the version it
-- rendered (NULL for fires recorded before this migration) and when it expires (existing
-- records: 30 days after their fire, the retention of fires that created no task).
ALTER TABLE hooks.last_fires DROP CONSTRAINT last_fires_hook_group_id_hook_id_fkey;
ALTER TABLE hooks.last_fires ADD COLUMN hook_version_sha256 text;
ALTER TABLE hooks.last_fires ADD COLUMN expires timestamptz;
UPDATE hooks.last_fires SET expires = task_create_time + interval '30 days';
ALTER TABLE hooks.last_fires ALTER COLUMN expires SET NOT NULL;
ALTER TABLE hooks.last_fires ADD CONSTRAINT last_fires_version
  FOREIGN KEY (hook_group_id, hook_id, hook_version_sha256) REFERENCES hooks.hook_versions;
CREATE INDEX last_fires_expires ON hooks.last_fires (expires);
CREATE INDEX last_fires_by_version ON hooks.last_fires (hook_group_id, hook_id, hook_version_sha256);
-- Fire records are evidence: the runtime role may add and expire them, never edit one.
REVOKE UPDATE, TRUNCATE ON hooks.last_fires FROM bulwark_hooks;
