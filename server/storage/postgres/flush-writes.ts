/**
 * Writes what a group of writes changed, with one multi-row statement per table (arrays through
 * unnest: one prepared statement whatever the count), the new global seq and the commit's
 * notification, all pipelined in one round trip inside the write transaction.
 */
import type { PreviewJob } from '../../previews/preview-queue.ts';
import { liveLinkUrl, type StoredRecord } from '../../sync/stored-record.ts';
import { inOneRoundTrip, type PendingQuery, type Sql } from './connect.ts';
import type { WorkingSet } from './working-set.ts';

/** The channel every process listens on for commits (`pg-commit-feed.ts`). */
export const COMMIT_CHANNEL = 'burrow_commits';

/** NOTIFY payloads must stay under 8,000 bytes: a commit of many users' records is split. */
const USERS_PER_NOTIFICATION = 100;

function recordColumns(records: StoredRecord[]) {
  return [
    records.map((r) => r.table),
    records.map((r) => r.id),
    records.map((r) => r.workspaceId),
    records.map((r) => r.ownerId),
    records.map((r) => r.version),
    records.map((r) => r.seq),
    records.map((r) => r.deleted),
    records.map((r) => r.purged),
    records.map((r) => r.createdAt),
    records.map((r) => r.updatedAt),
    records.map((r) => JSON.stringify(r.fields)),
    records.map((r) => JSON.stringify(r.fieldVersions)),
    records.map((r) => JSON.stringify(r.fieldWriters)),
    records.map((r) => liveLinkUrl(r)),
  ] as never[];
}

const UNNEST_RECORDS = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::bigint[],
  $7::boolean[], $8::boolean[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])`;

/**
 * The notification of a commit: who may read what changed, the new cursor, and which process
 * sent it. `everyone`: every stream, whoever its user (sent when notifying resumes after a pause,
 * `notify-queue.ts`).
 */
export interface CommitMessage {
  origin: string;
  cursor: number;
  userIds: string[];
  everyone?: true;
}

/** This process's name in notifications, and whether commits notify now (`notify-queue.ts`). */
export interface CommitNotifying {
  origin: string;
  notifies: boolean;
}

/** Writes the changes of `set`, then `closing` (the transaction's COMMIT), in one round trip. */
export function flushWrites(
  tx: Sql,
  set: WorkingSet,
  startSeq: number,
  notifying: CommitNotifying,
  closing: PendingQuery[],
): Promise<unknown[]> {
  const writes: PendingQuery[] = [];
  const newUsers = [...set.newUsers.entries()].map(([, user]) => user);
  if (newUsers.length > 0) {
    writes.push(tx`INSERT INTO users(id, email, password_hash, created_at)
      SELECT * FROM unnest(${newUsers.map((u) => u.id)}::text[], ${newUsers.map((u) => u.email)}::text[],
        ${newUsers.map((u) => u.passwordHash)}::text[], ${newUsers.map((u) => u.createdAt)}::text[])`);
  }
  const claims = [...set.ownerClaims.entries()];
  if (claims.length > 0) {
    writes.push(tx`INSERT INTO workspace_owners(workspace_id, owner_id)
      SELECT * FROM unnest(${claims.map(([id]) => id)}::text[], ${claims.map(([, owner]) => owner)}::text[])`);
  }
  const inserts: StoredRecord[] = [];
  const updates: StoredRecord[] = [];
  for (const [key, { isNew }] of set.recordWrites.entries()) {
    const record = set.records.get(key);
    if (record) (isNew ? inserts : updates).push(record);
  }
  if (inserts.length > 0) {
    writes.push(
      tx.unsafe(
        `INSERT INTO records(tbl, id, workspace_id, owner_id, version, seq, deleted, purged, created_at, updated_at,
          fields, field_versions, field_writers, link_url) SELECT * FROM ${UNNEST_RECORDS}`,
        recordColumns(inserts),
        { prepare: true },
      ),
    );
  }
  if (updates.length > 0) {
    writes.push(
      tx.unsafe(
        `UPDATE records SET version = v.version, seq = v.seq, deleted = v.deleted, purged = v.purged,
          updated_at = v.updated_at,
          fields = v.fields, field_versions = v.field_versions, field_writers = v.field_writers, link_url = v.link_url
          FROM ${UNNEST_RECORDS} AS v(tbl, id, workspace_id, owner_id, version, seq, deleted, purged, created_at,
            updated_at, fields, field_versions, field_writers, link_url)
          WHERE records.tbl = v.tbl AND records.id = v.id`,
        recordColumns(updates),
        { prepare: true },
      ),
    );
  }
  const clients = [...set.clientWrites.entries()].map(([id]) => ({ id, ...set.clients.get(id)! }));
  if (clients.length > 0) {
    writes.push(tx`INSERT INTO clients(id, user_id, last_seq, created_at)
      SELECT id, user_id, last_seq, ${set.now()} FROM unnest(${clients.map((c) => c.id)}::text[],
        ${clients.map((c) => c.userId)}::text[], ${clients.map((c) => c.lastSeq)}::bigint[]) AS v(id, user_id, last_seq)
      ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq`);
  }
  const outcomes = [...set.outcomeWrites.entries()].map(([key]) => {
    const [clientId, seq] = key.split('\u0000');
    const kept = set.outcomes.get(key)!;
    return { clientId, seq: Number(seq), mutationId: kept.mutationId, outcome: JSON.stringify(kept.outcome) };
  });
  if (outcomes.length > 0) {
    writes.push(tx`INSERT INTO push_outcomes(client_id, seq, mutation_id, outcome, created_at)
      SELECT client_id, seq, mutation_id, outcome, ${set.nowMs} FROM unnest(${outcomes.map((o) => o.clientId)}::text[],
        ${outcomes.map((o) => o.seq)}::bigint[], ${outcomes.map((o) => o.mutationId)}::text[],
        ${outcomes.map((o) => o.outcome)}::text[]) AS v(client_id, seq, mutation_id, outcome)
      ON CONFLICT (client_id, seq) DO UPDATE SET mutation_id = excluded.mutation_id, outcome = excluded.outcome,
        created_at = excluded.created_at`);
  }
  const responses = [...set.idempotentWrites.entries()].map(([key]) => {
    const [userId, ...rest] = key.split('\u0000');
    return { userId, key: rest.join('\u0000'), ...set.idempotent.get(key)! };
  });
  if (responses.length > 0) {
    writes.push(tx`INSERT INTO idempotency(user_id, key, fingerprint, status, body, created_at)
      SELECT user_id, key, fingerprint, status, body, ${set.nowMs} FROM unnest(${responses.map((r) => r.userId)}::text[],
        ${responses.map((r) => r.key)}::text[], ${responses.map((r) => r.fingerprint)}::text[],
        ${responses.map((r) => r.status)}::integer[], ${responses.map((r) => r.body)}::text[])
        AS v(user_id, key, fingerprint, status, body)`);
  }
  writes.push(...previewWrites(tx, set));
  if (set.cursor !== startSeq) {
    writes.push(tx`UPDATE counters SET value = ${set.cursor} WHERE name = 'seq'`);
    if (notifying.notifies) writes.push(...notifications(tx, set, notifying.origin));
  }
  return inOneRoundTrip(tx, [], [...writes, ...closing]);
}

/** The commit's notifications: its cursor, to the processes' listeners, for so many users each. */
function notifications(tx: Sql, set: WorkingSet, origin: string): PendingQuery[] {
  const userIds = [...set.changedOwners.entries()].map(([id]) => id);
  const sends: PendingQuery[] = [];
  for (let i = 0; i < userIds.length; i += USERS_PER_NOTIFICATION) {
    const message: CommitMessage = {
      origin,
      cursor: set.cursor,
      userIds: userIds.slice(i, i + USERS_PER_NOTIFICATION),
    };
    sends.push(tx`SELECT pg_notify(${COMMIT_CHANNEL}, ${JSON.stringify(message)})`);
  }
  return sends;
}

/** The preview jobs the writes queued (each as it ends, its generation counted here) or removed, and media grants. */
function previewWrites(tx: Sql, set: WorkingSet): PendingQuery[] {
  const writes: PendingQuery[] = [];
  const queued: PreviewJob[] = [];
  const removed: string[] = [];
  for (const [cardId] of set.previewJobWrites.entries()) {
    const job = set.previewJobs.get(cardId);
    if (job) queued.push(job);
    else removed.push(cardId);
  }
  if (removed.length > 0) writes.push(tx`DELETE FROM preview_jobs WHERE card_id = ANY(${removed}::text[])`);
  if (queued.length > 0) {
    writes.push(tx`INSERT INTO preview_jobs(card_id, owner_id, url, host, generation, attempts, run_at, created_at)
      SELECT card_id, owner_id, url, host, generation, 0, ${set.nowMs}, ${set.nowMs}
        FROM unnest(${queued.map((j) => j.cardId)}::text[], ${queued.map((j) => j.ownerId)}::text[],
          ${queued.map((j) => j.url)}::text[], ${queued.map((j) => j.host)}::text[],
          ${queued.map((j) => j.generation)}::integer[]) AS v(card_id, owner_id, url, host, generation)
      ON CONFLICT (card_id) DO UPDATE SET owner_id = excluded.owner_id, url = excluded.url, host = excluded.host,
        generation = excluded.generation, attempts = 0, run_at = excluded.run_at, lease_until = NULL,
        last_error = NULL`);
  }
  const grants = [...set.mediaGrants.entries()].map(([key, bytes]) => [...key.split('\u0000'), bytes] as const);
  if (grants.length > 0) {
    // A grant made again is dated again: the media reaper's grace counts from the last one.
    writes.push(tx`INSERT INTO media_owners(user_id, hash, bytes, created_at)
      SELECT user_id, hash, bytes, ${set.nowMs} FROM unnest(${grants.map(([user]) => user)}::text[],
        ${grants.map(([, hash]) => hash)}::text[], ${grants.map(([, , bytes]) => bytes)}::bigint[]) AS v(user_id, hash, bytes)
      ON CONFLICT (user_id, hash) DO UPDATE SET bytes = excluded.bytes, created_at = excluded.created_at`);
  }
  return writes;
}
