-- The audit chain is keyed: each new row's hash is HMAC-SHA256 under an audit key from auth's
-- configuration (never stored here), and `key_id` names that key. Rows written before have
-- key_id '' and keep their plain SHA-256 hash; they verify only before the first keyed row
-- (services/auth/store/audit_chain.h, docs/audit.md).
ALTER TABLE auth.audit_history ADD COLUMN key_id text NOT NULL DEFAULT '';
