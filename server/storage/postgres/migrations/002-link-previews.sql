-- Link previews (SQLite's migration 5): a durable queue of preview fetches and who may read
-- which stored image. records.link_url holds live link URLs in their normal form
-- (protocol/url.ts) from here on; no PostgreSQL database held links written before that.

-- One job per card: a new request (a create, a URL change, a refresh) replaces the card's job
-- and raises its generation, so a fetch still running for the old one is not applied. Changed
-- only by writes of the card's owner (under their users row lock) and by the runners' claims
-- and retries.
CREATE TABLE preview_jobs (
  card_id text PRIMARY KEY,
  owner_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  url text NOT NULL,
  host text NOT NULL,
  generation integer NOT NULL DEFAULT 1,
  attempts integer NOT NULL DEFAULT 0,
  -- ms since epoch: not before this time.
  run_at bigint NOT NULL,
  -- ms since epoch: a runner holds the job until then; NULL when none does.
  lease_until bigint,
  last_error text,
  created_at bigint NOT NULL
);
CREATE INDEX preview_jobs_due ON preview_jobs(run_at);

-- Stored images (content-addressed files <DATA_DIR>/media/<hash>.webp) and the users whose
-- cards they were fetched for: only they may read them.
CREATE TABLE media_owners (
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  hash text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (user_id, hash)
);
