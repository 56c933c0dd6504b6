-- Burrow schema, version 1: users and their credentials, workspaces' owners, records, the sync
-- bookkeeping (global seq, per-client seq, idempotent responses).

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- The highest seq of this user's purged tombstones: a cursor below it gets 410.
  purge_horizon INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- One owner per workspace in version 1 (no sharing yet).
CREATE TABLE workspace_owners (
  workspace_id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX workspace_owners_owner ON workspace_owners(owner_id);

-- Every record of every table. fields and field_versions are JSON text: pull splices
-- fields into its response without parsing it.
CREATE TABLE records (
  tbl TEXT NOT NULL,
  id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  fields TEXT NOT NULL,
  field_versions TEXT NOT NULL,
  field_writers TEXT NOT NULL,
  -- The url of a live link card (else NULL), for duplicate-url.
  link_url TEXT,
  PRIMARY KEY (tbl, id)
);
CREATE UNIQUE INDEX records_seq ON records(seq);
CREATE INDEX records_owner_seq ON records(owner_id, seq);
CREATE INDEX records_link_url ON records(workspace_id, link_url) WHERE link_url IS NOT NULL;
CREATE INDEX records_tombstones ON records(updated_at) WHERE deleted = 1;

-- The global change seq (one row), kept apart from records so a purge never lowers it.
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO counters(name, value) VALUES ('seq', 0);

-- The last applied mutation seq of each client, and the user it is bound to.
CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  last_seq INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

-- Responses stored per (user, Idempotency-Key), with the fingerprint of the request.
CREATE TABLE idempotency (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_created ON idempotency(created_at);
