-- Burrow on PostgreSQL, version 1: the SQLite schema of migrations 001–003 in one step (users,
-- sessions, tokens, workspace owners, records, the global seq, clients, idempotent responses,
-- kept push outcomes, per-user storage), plus the shared rate-limiter counters.

CREATE TABLE users (
  id text PRIMARY KEY,
  email text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  created_at text NOT NULL,
  -- The highest seq of this user's purged tombstones: a cursor below it gets 410.
  purge_horizon bigint NOT NULL DEFAULT 0,
  -- Bytes of the stored fields JSON of all the user's records (tombstones too, until purged),
  -- for the quota; kept by the statement triggers on records below.
  storage_bytes bigint NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at text NOT NULL,
  -- ms since epoch; NULL: the token never expires.
  expires_at bigint
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- One owner per workspace in version 1 (no sharing yet).
CREATE TABLE workspace_owners (
  workspace_id text PRIMARY KEY,
  owner_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX workspace_owners_owner ON workspace_owners(owner_id);

-- Every record of every table. fields is JSON text, spliced into pull pages without parsing.
CREATE TABLE records (
  tbl text NOT NULL,
  id text NOT NULL,
  workspace_id text NOT NULL,
  owner_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  version integer NOT NULL,
  seq bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  fields text NOT NULL,
  field_versions text NOT NULL,
  field_writers text NOT NULL,
  -- The url of a live link card (else NULL), for duplicate-url.
  link_url text,
  PRIMARY KEY (tbl, id)
);
CREATE UNIQUE INDEX records_seq ON records(seq);
CREATE INDEX records_owner_seq ON records(owner_id, seq);
CREATE INDEX records_link_url ON records(workspace_id, link_url) WHERE link_url IS NOT NULL;
CREATE INDEX records_tombstones ON records(updated_at) WHERE deleted;
CREATE INDEX records_parent ON records(id) WHERE tbl = 'collections';

-- The global change seq (one row), kept apart from records so a purge never lowers it. Every
-- write transaction locks this row to stamp its seqs and holds it until its commit is
-- visible, so a pull never sees seq N+1 committed while N is still to come (a sequence's
-- nextval() does not promise that: docs/architecture.md).
CREATE TABLE counters (
  name text PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO counters(name, value) VALUES ('seq', 0);

-- The last applied mutation seq of each client, and the user it is bound to.
CREATE TABLE clients (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  last_seq bigint NOT NULL,
  created_at text NOT NULL
);

-- Responses stored per (user, Idempotency-Key), with the fingerprint of the request.
CREATE TABLE idempotency (
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key text NOT NULL,
  fingerprint text NOT NULL,
  status integer NOT NULL,
  body text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_created ON idempotency(created_at);

-- The first answer to every push mutation that was not applied, by the client's own seq.
CREATE TABLE push_outcomes (
  client_id text NOT NULL REFERENCES clients(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  seq bigint NOT NULL,
  mutation_id text NOT NULL,
  outcome text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (client_id, seq)
);
CREATE INDEX push_outcomes_created ON push_outcomes(created_at);

-- rate-limiter-flexible's RateLimiterPostgres table (its own shape), shared by every process:
-- key is "<limiter prefix>:<key>", expire ms since epoch.
CREATE TABLE rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
CREATE INDEX rate_limits_expire ON rate_limits(expire);

-- When the periodic jobs (purge, reapers) last ran. A process claims a run by moving ran_at
-- forward in one UPDATE, so with several processes the jobs run once per interval.
CREATE TABLE maintenance_runs (
  name text PRIMARY KEY,
  ran_at bigint NOT NULL
);
INSERT INTO maintenance_runs(name, ran_at) VALUES ('periodic', 0);

-- storage_bytes per statement, not per row: a push writes its records with one multi-row
-- statement, and a row trigger would update the user's row once per record.
CREATE FUNCTION records_usage_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET storage_bytes = users.storage_bytes + d.bytes
    FROM (SELECT owner_id, sum(octet_length(fields))::bigint AS bytes FROM new_rows GROUP BY owner_id) d
    WHERE users.id = d.owner_id;
  RETURN NULL;
END $$;
CREATE TRIGGER records_usage_insert AFTER INSERT ON records
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION records_usage_insert();

CREATE FUNCTION records_usage_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET storage_bytes = users.storage_bytes + d.bytes
    FROM (SELECT n.owner_id, sum(octet_length(n.fields) - octet_length(o.fields))::bigint AS bytes
            FROM new_rows n JOIN old_rows o ON o.tbl = n.tbl AND o.id = n.id GROUP BY n.owner_id) d
    WHERE users.id = d.owner_id AND d.bytes <> 0;
  RETURN NULL;
END $$;
CREATE TRIGGER records_usage_update AFTER UPDATE ON records
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION records_usage_update();

CREATE FUNCTION records_usage_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET storage_bytes = users.storage_bytes - d.bytes
    FROM (SELECT owner_id, sum(octet_length(fields))::bigint AS bytes FROM old_rows GROUP BY owner_id) d
    WHERE users.id = d.owner_id;
  RETURN NULL;
END $$;
CREATE TRIGGER records_usage_delete AFTER DELETE ON records
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION records_usage_delete();
