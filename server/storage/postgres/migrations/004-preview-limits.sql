-- Link preview limits kept in the database (SQLite's migration 6): when each host was last
-- fetched from, by any process's runner (politeness per host across processes), and the bytes
-- of each stored image a person was given (their media quota).

-- One row per host started within the last gap; older rows are dropped by the next claim.
-- Written only by claims, which hold the preview-claims advisory lock.
CREATE TABLE preview_host_starts (
  host text PRIMARY KEY,
  -- ms since epoch: when the last fetch from this host started.
  started_at bigint NOT NULL
);

-- The size of the stored file.
ALTER TABLE media_owners ADD COLUMN bytes bigint NOT NULL DEFAULT 0;
