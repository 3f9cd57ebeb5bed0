-- The hooks schema, owned by the migration role bulwark_hooks_owner (which runs this file).
-- The runtime role bulwark_hooks may read and write rows of this schema's tables and use its
-- sequences; it can create nothing and reaches no other schema.
CREATE SCHEMA hooks;
REVOKE ALL ON SCHEMA hooks FROM PUBLIC;
GRANT USAGE ON SCHEMA hooks TO bulwark_hooks;

-- Every table and sequence later migrations create gets the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA hooks
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bulwark_hooks;
ALTER DEFAULT PRIVILEGES IN SCHEMA hooks
  GRANT USAGE, SELECT ON SEQUENCES TO bulwark_hooks;
ALTER DEFAULT PRIVILEGES IN SCHEMA hooks
  REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA hooks
  GRANT EXECUTE ON FUNCTIONS TO bulwark_hooks;
