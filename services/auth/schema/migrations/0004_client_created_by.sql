-- Who created each client (issue 13 item 5): an identical CreateClient retried within the
-- idempotency window returns the existing access token only to that same caller. Clients
-- created before this column existed have '' and are never answered with their token again.
ALTER TABLE auth.clients ADD COLUMN created_by text NOT NULL DEFAULT '';
