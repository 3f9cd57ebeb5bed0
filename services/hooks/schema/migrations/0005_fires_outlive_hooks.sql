-- Issue 13 item 5: RemoveHook never deletes fire history (the verifier's evidence). The fires of
-- a removed hook stay until the fire-retention purge takes them, as their hook versions do.
ALTER TABLE hooks.last_fires DROP CONSTRAINT IF EXISTS last_fires_hook_group_id_hook_id_fkey;
