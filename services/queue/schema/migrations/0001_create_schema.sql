-- The queue schema, owned by the migration role bulwark_queue_owner (which runs this file).
-- The runtime role bulwark_queue may read and write rows of this schema's tables and use its
-- sequences; it can create nothing and reaches no other schema.
CREATE SCHEMA queue;
REVOKE ALL ON SCHEMA queue FROM PUBLIC;
GRANT USAGE ON SCHEMA queue TO bulwark_queue;

-- Every table and sequence later migrations create gets the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA queue
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bulwark_queue;
ALTER DEFAULT PRIVILEGES IN SCHEMA queue
  GRANT USAGE, SELECT ON SEQUENCES TO bulwark_queue;
ALTER DEFAULT PRIVILEGES IN SCHEMA queue
  REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA queue
  GRANT EXECUTE ON FUNCTIONS TO bulwark_queue;
