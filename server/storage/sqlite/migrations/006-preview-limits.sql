-- Burrow schema, version 6: link preview limits kept in the database. When each host was last
-- fetched from (politeness per host, whichever runner started it), and the bytes of each
-- stored image a person was given (their media quota).

-- One row per host started within the last gap; older rows are dropped by the next claim.
CREATE TABLE preview_host_starts (
  host TEXT PRIMARY KEY,
  -- ms since epoch: when the last fetch from this host started.
  started_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The size of the stored file (0 for images stored before this version).
ALTER TABLE media_owners ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
