-- Clients, roles and the audit history of the auth service.

-- A client's access token is stored sealed by the keyring (AES-256-GCM, key id inside), never
-- in the clear: the server needs the plaintext as the Hawk key, so it cannot be hashed.
CREATE TABLE auth.clients (
  client_id text PRIMARY KEY,
  description text NOT NULL DEFAULT '',
  sealed_access_token text NOT NULL,
  expires timestamptz NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  delete_on_expiration boolean NOT NULL DEFAULT false,
  scopes jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(scopes) = 'array'),
  created timestamptz NOT NULL,
  last_modified timestamptz NOT NULL,
  last_date_used timestamptz NOT NULL,
  last_rotated timestamptz NOT NULL
);
CREATE INDEX clients_expires ON auth.clients (expires) WHERE delete_on_expiration;

CREATE TABLE auth.roles (
  role_id text PRIMARY KEY,
  description text NOT NULL DEFAULT '',
  scopes jsonb NOT NULL CHECK (jsonb_typeof(scopes) = 'array'),
  created timestamptz NOT NULL,
  last_modified timestamptz NOT NULL
);

-- One row whose version grows with every role change. Writers lock it (SELECT … FOR UPDATE),
-- so role changes are serialized and each is validated against the whole, current role set.
CREATE TABLE auth.role_set_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version bigint NOT NULL
);
INSERT INTO auth.role_set_version (version) VALUES (0);

-- Append-only, hash-chained history of every change to a client or role. Each row's hash is
-- SHA-256 over the previous row's hash and this row's fields, so an edited or deleted row
-- breaks the chain (auth.VerifyAuditHistory finds it). The runtime role may only read and
-- append.
CREATE TABLE auth.audit_history (
  sequence bigint PRIMARY KEY,
  entity_type text NOT NULL CHECK (entity_type IN ('client', 'role')),
  entity_id text NOT NULL,
  client_id text NOT NULL,
  action text NOT NULL,
  created timestamptz NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_history_entity ON auth.audit_history (entity_type, entity_id, sequence);
REVOKE UPDATE, DELETE, TRUNCATE ON auth.audit_history FROM bulwark_auth;
