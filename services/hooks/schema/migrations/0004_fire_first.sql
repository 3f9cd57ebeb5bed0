-- Issue 13: a trigger records its fire before it asks the queue for the task (result 'error',
-- error beginning with "the fire did not finish:"), then sets the outcome once. Only such an
-- unfinished record may change, and only its outcome; every finished record stays as written
-- (the verifier's evidence).
GRANT UPDATE (result, error, expires) ON hooks.last_fires TO bulwark_hooks;

CREATE FUNCTION hooks.only_unfinished_fires_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.result <> 'error' OR left(OLD.error, 24) <> 'the fire did not finish:' THEN
    RAISE EXCEPTION 'fire record %/%/% is finished and cannot change',
      OLD.hook_group_id, OLD.hook_id, OLD.task_id USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END;
$$;

-- Functions are executable by PUBLIC by default; this one is the trigger's alone (firing a
-- trigger needs no EXECUTE privilege).
REVOKE EXECUTE ON FUNCTION hooks.only_unfinished_fires_change() FROM PUBLIC;

CREATE TRIGGER last_fires_finish_once BEFORE UPDATE ON hooks.last_fires
  FOR EACH ROW EXECUTE FUNCTION hooks.only_unfinished_fires_change();
