-- Tasks, their runs, the pending queue workers claim from, dependencies, task groups,
-- artifacts and their content.

-- A task group is bound to the schedulerId of its first task.
CREATE TABLE queue.task_groups (
  task_group_id text PRIMARY KEY,
  scheduler_id text NOT NULL,
  expires timestamptz NOT NULL
);

CREATE TABLE queue.tasks (
  task_id text PRIMARY KEY,
  task_group_id text NOT NULL REFERENCES queue.task_groups,
  task_queue_id text NOT NULL,
  priority_rank integer NOT NULL CHECK (priority_rank BETWEEN 0 AND 6),
  deadline timestamptz NOT NULL,
  expires timestamptz NOT NULL,
  retries_left integer NOT NULL CHECK (retries_left >= 0),
  -- The normalized definition (defaults filled), as returned by GetTask.
  definition jsonb NOT NULL,
  -- Who created it, and the authorizedScopes they restricted themselves to: the verifier's
  -- link from a task back to the hook that fired it.
  creator_client_id text NOT NULL,
  creator_authorized_scopes jsonb NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX tasks_by_group ON queue.tasks (task_group_id, task_id);
CREATE INDEX tasks_by_deadline ON queue.tasks (deadline);

CREATE TABLE queue.runs (
  task_id text NOT NULL REFERENCES queue.tasks ON DELETE CASCADE,
  run_id integer NOT NULL CHECK (run_id BETWEEN 0 AND 49),
  state text NOT NULL CHECK (state IN ('pending', 'running', 'completed', 'failed', 'exception')),
  reason_created text NOT NULL,
  reason_resolved text NOT NULL DEFAULT '',
  worker_group text NOT NULL DEFAULT '',
  worker_id text NOT NULL DEFAULT '',
  taken_until timestamptz,
  scheduled timestamptz NOT NULL,
  started timestamptz,
  resolved timestamptz,
  PRIMARY KEY (task_id, run_id)
);
CREATE INDEX runs_running ON queue.runs (taken_until) WHERE state = 'running';

-- Runs waiting for a worker. ClaimWork takes rows with FOR UPDATE SKIP LOCKED, so each is
-- handed to exactly one worker however many queue replicas run.
CREATE TABLE queue.pending_runs (
  task_queue_id text NOT NULL,
  priority_rank integer NOT NULL,
  seq bigserial NOT NULL,
  task_id text NOT NULL,
  run_id integer NOT NULL,
  PRIMARY KEY (task_id, run_id),
  FOREIGN KEY (task_id, run_id) REFERENCES queue.runs ON DELETE CASCADE
);
CREATE INDEX pending_by_queue ON queue.pending_runs (task_queue_id, priority_rank DESC, seq);

CREATE TABLE queue.dependencies (
  required_task_id text NOT NULL,
  dependent_task_id text NOT NULL REFERENCES queue.tasks ON DELETE CASCADE,
  requires text NOT NULL CHECK (requires IN ('all-completed', 'all-resolved')),
  satisfied boolean NOT NULL DEFAULT false,
  PRIMARY KEY (required_task_id, dependent_task_id)
);
CREATE INDEX dependencies_unsatisfied ON queue.dependencies (dependent_task_id) WHERE NOT satisfied;

-- Artifact content, addressed by its SHA-256 (written once, shared by identical artifacts).
CREATE TABLE queue.artifact_blobs (
  sha256 text PRIMARY KEY,
  content bytea NOT NULL
);

CREATE TABLE queue.artifacts (
  task_id text NOT NULL,
  run_id integer NOT NULL,
  name text NOT NULL,
  content_type text NOT NULL,
  size bigint NOT NULL,
  sha256 text NOT NULL REFERENCES queue.artifact_blobs,
  expires timestamptz NOT NULL,
  created timestamptz NOT NULL,
  PRIMARY KEY (task_id, run_id, name),
  FOREIGN KEY (task_id, run_id) REFERENCES queue.runs ON DELETE CASCADE
);
