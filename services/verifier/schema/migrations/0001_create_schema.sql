-- The verifier schema, owned by the migration role bulwark_verifier_owner (which runs this file).
-- The runtime role bulwark_verifier may read and write rows of this schema's tables and use its
-- sequences; it can create nothing and reaches no other schema.
CREATE SCHEMA verifier;
REVOKE ALL ON SCHEMA verifier FROM PUBLIC;
GRANT USAGE ON SCHEMA verifier TO bulwark_verifier;

-- Every table and sequence later migrations create gets the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA verifier
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bulwark_verifier;
ALTER DEFAULT PRIVILEGES IN SCHEMA verifier
  GRANT USAGE, SELECT ON SEQUENCES TO bulwark_verifier;
ALTER DEFAULT PRIVILEGES IN SCHEMA verifier
  REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA verifier
  GRANT EXECUTE ON FUNCTIONS TO bulwark_verifier;
