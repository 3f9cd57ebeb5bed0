-- Hooks and the record of their fires.

CREATE TABLE hooks.hooks (
  hook_group_id text NOT NULL,
  hook_id text NOT NULL,
  metadata jsonb NOT NULL,
  schedule jsonb NOT NULL CHECK (jsonb_typeof(schedule) = 'array'),
  -- The JSON-e template of the task.
  task jsonb NOT NULL,
  trigger_schema jsonb NOT NULL,
  -- Sealed with the hooks service's own keyring; compared in constant time.
  sealed_trigger_token text NOT NULL,
  -- The taskId the next scheduled fire will use (fixed per slot, so a retried fire is
  -- idempotent at the queue), and when that slot is (NULL: no schedule).
  next_task_id text NOT NULL,
  next_scheduled_date timestamptz,
  created timestamptz NOT NULL,
  last_modified timestamptz NOT NULL,
  PRIMARY KEY (hook_group_id, hook_id)
);
-- The scheduler's work list.
CREATE INDEX hooks_due ON hooks.hooks (next_scheduled_date) WHERE next_scheduled_date IS NOT NULL;

-- Every fire that was attempted, with everything the template was rendered with, so that a
-- verifier can render it again and compare.
CREATE TABLE hooks.last_fires (
  hook_group_id text NOT NULL,
  hook_id text NOT NULL,
  task_id text NOT NULL,
  fired_by text NOT NULL CHECK (fired_by IN ('schedule', 'triggerHook', 'triggerHookWithToken')),
  payload jsonb,
  client_id text NOT NULL DEFAULT '',
  now_iso text NOT NULL,
  task_create_time timestamptz NOT NULL,
  result text NOT NULL CHECK (result IN ('success', 'error')),
  error text NOT NULL DEFAULT '',
  PRIMARY KEY (hook_group_id, hook_id, task_id),
  FOREIGN KEY (hook_group_id, hook_id) REFERENCES hooks.hooks ON DELETE CASCADE
);
CREATE INDEX last_fires_newest ON hooks.last_fires (hook_group_id, hook_id, task_create_time DESC, task_id);
