-- Burrow schema, version 5: link previews. A durable queue of preview fetches, who may read
-- which stored image, and live link URLs kept in their normal form for duplicate-url.

-- One job per card: a new request (a create, a URL change, a refresh) replaces the card's job
-- and raises its generation, so a fetch still running for the old one is not applied.
CREATE TABLE preview_jobs (
  card_id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  -- The normalised URL to fetch, and its host (for politeness per host).
  url TEXT NOT NULL,
  host TEXT NOT NULL,
  generation INTEGER NOT NULL DEFAULT 1,
  -- Failed attempts so far (transient failures are retried with backoff).
  attempts INTEGER NOT NULL DEFAULT 0,
  -- ms since epoch: not before this time.
  run_at INTEGER NOT NULL,
  -- ms since epoch: a runner holds the job until then; NULL when none does.
  lease_until INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX preview_jobs_due ON preview_jobs(run_at);

-- Stored images (content-addressed files <DATA_DIR>/media/<hash>.webp) and the users whose
-- cards they were fetched for: only they may read them.
CREATE TABLE media_owners (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, hash)
) WITHOUT ROWID;

-- burrow_normalize_url is protocol/url.ts's normalizeUrl, registered by open-database.ts.
UPDATE records SET link_url = burrow_normalize_url(link_url) WHERE link_url IS NOT NULL;
