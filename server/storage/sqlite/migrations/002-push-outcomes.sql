-- Burrow schema, version 2: the first answer to every push mutation that was not applied
-- (conflict or rejected), so a resend answered `duplicate` can still carry it. Kept by the
-- client's own seq; reaped with the tombstone retention.

CREATE TABLE push_outcomes (
  -- Deferred: the first push of a client writes its outcomes before its clients row.
  client_id TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  seq INTEGER NOT NULL,
  mutation_id TEXT NOT NULL,
  -- The OriginalOutcome as JSON (no record).
  outcome TEXT NOT NULL,
  -- ms since epoch.
  created_at INTEGER NOT NULL,
  PRIMARY KEY (client_id, seq)
) WITHOUT ROWID;
CREATE INDEX push_outcomes_created ON push_outcomes(created_at);
