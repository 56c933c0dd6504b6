-- Burrow schema, version 3: API tokens may expire; each user's storage use is kept current.

-- ms since epoch; NULL: the token never expires.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;

-- Bytes of the stored fields JSON of all the user's records (tombstones too, until purged),
-- for the quota. Triggers keep it in the transaction of every write, so reading it is one row.
ALTER TABLE users ADD COLUMN storage_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE users SET storage_bytes =
  (SELECT COALESCE(SUM(octet_length(fields)), 0) FROM records WHERE records.owner_id = users.id);

CREATE TRIGGER records_usage_insert AFTER INSERT ON records BEGIN
  UPDATE users SET storage_bytes = storage_bytes + octet_length(NEW.fields) WHERE id = NEW.owner_id;
END;
CREATE TRIGGER records_usage_update AFTER UPDATE OF fields ON records BEGIN
  UPDATE users SET storage_bytes = storage_bytes + octet_length(NEW.fields) - octet_length(OLD.fields)
    WHERE id = NEW.owner_id;
END;
CREATE TRIGGER records_usage_delete AFTER DELETE ON records BEGIN
  UPDATE users SET storage_bytes = storage_bytes - octet_length(OLD.fields) WHERE id = OLD.owner_id;
END;
