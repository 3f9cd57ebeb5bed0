-- The auth schema, owned by the migration role bulwark_auth_owner (which runs this file).
-- The runtime role bulwark_auth may read and write rows of this schema's tables and use its
-- sequences; it can create nothing and reaches no other schema.
CREATE SCHEMA auth;
REVOKE ALL ON SCHEMA auth FROM PUBLIC;
GRANT USAGE ON SCHEMA auth TO bulwark_auth;

-- Every table and sequence later migrations create gets the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA auth
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bulwark_auth;
ALTER DEFAULT PRIVILEGES IN SCHEMA auth
  GRANT USAGE, SELECT ON SEQUENCES TO bulwark_auth;
ALTER DEFAULT PRIVILEGES IN SCHEMA auth
  REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA auth
  GRANT EXECUTE ON FUNCTIONS TO bulwark_auth;
