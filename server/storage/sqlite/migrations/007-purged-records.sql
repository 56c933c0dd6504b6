-- Burrow schema, version 7: records deleted for good. A purge erases a tombstone's content but
-- keeps its row (ownership, the change feed and the age purge need it); this marks it, so pull
-- sends `purged: true` and no write can bring it back.
ALTER TABLE records ADD COLUMN purged INTEGER NOT NULL DEFAULT 0;
