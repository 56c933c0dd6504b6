-- Burrow schema, version 4: push answers carry stamps instead of records, so they are bounded by
-- their requests. Stored push answers of the old form (each result with a whole record) go: the
-- idempotency table is a replay cache, and a push sent again after this executes again, every
-- mutation of it answered `duplicate` with its kept `original`, in the new form. REST answers
-- (an envelope, bounded by one record) stay: a REST write has no client seq to fall back on.
DELETE FROM idempotency WHERE body LIKE '{"protocol":%';

-- Kept first answers (for `original`) name a conflict's fields only; those kept before held each
-- field's server and client values, as large as the record. Their values become `omitted`.
UPDATE push_outcomes
  SET outcome = json_set(outcome, '$.conflicts', (
    SELECT json_group_array(json_object('field', json_extract(conflict.value, '$.field'), 'omitted', json('true')))
      FROM json_each(push_outcomes.outcome, '$.conflicts') AS conflict))
  WHERE json_type(outcome, '$.conflicts') = 'array';
