-- Artifact content in chunks of at most 1 MiB (no single value is larger), and streaming
-- uploads staged chunk by chunk until they are complete.
--
-- A chunk belongs either to a blob (finished content, addressed by its SHA-256 and shared by
-- every artifact with that content) or to an upload (content still arriving). Finishing an
-- upload re-points its chunks to the blob, which rewrites only the small row, not the content
-- (PostgreSQL keeps the out-of-line value), or deletes them when the blob already exists.
-- Unfinished uploads are purged by the queue's sweeper once idle.

CREATE TABLE queue.uploads (
  upload_id bigserial PRIMARY KEY,
  task_id text NOT NULL,
  run_id integer NOT NULL,
  name text NOT NULL,
  -- Chunks staged so far (the next chunk's seq) and their total size.
  chunks integer NOT NULL DEFAULT 0 CHECK (chunks >= 0),
  size bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
  started timestamptz NOT NULL,
  -- The last time a chunk arrived; the purge removes uploads idle for too long.
  touched timestamptz NOT NULL
);
CREATE INDEX uploads_by_touched ON queue.uploads (touched);

ALTER TABLE queue.artifact_blobs ADD COLUMN size bigint CHECK (size >= 0);

CREATE TABLE queue.artifact_chunks (
  sha256 text REFERENCES queue.artifact_blobs ON DELETE CASCADE,
  upload_id bigint REFERENCES queue.uploads ON DELETE CASCADE,
  seq integer NOT NULL CHECK (seq >= 0),
  data bytea NOT NULL CHECK (octet_length(data) BETWEEN 1 AND 1048576),
  CHECK ((sha256 IS NULL) <> (upload_id IS NULL))
);
CREATE UNIQUE INDEX artifact_chunks_of_blob ON queue.artifact_chunks (sha256, seq)
  WHERE sha256 IS NOT NULL;
CREATE UNIQUE INDEX artifact_chunks_of_upload ON queue.artifact_chunks (upload_id, seq)
  WHERE upload_id IS NOT NULL;

-- The content stored whole by version 2 moves into chunks; empty content has none.
INSERT INTO queue.artifact_chunks (sha256, seq, data)
  SELECT b.sha256, i, substring(b.content FROM i * 1048576 + 1 FOR 1048576)
  FROM queue.artifact_blobs b,
       generate_series(0, (octet_length(b.content) - 1) / 1048576) AS i
  WHERE octet_length(b.content) > 0;
UPDATE queue.artifact_blobs SET size = octet_length(content);
ALTER TABLE queue.artifact_blobs ALTER COLUMN size SET NOT NULL;
ALTER TABLE queue.artifact_blobs DROP COLUMN content;
