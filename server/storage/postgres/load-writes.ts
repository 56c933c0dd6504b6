/**
 * Loads, in one pipelined round trip, everything a group of writes will read: the writing users'
 * rows (locked, in id order, so two processes never deadlock on them), their clients (locked:
 * the same push at two processes is applied once), idempotent responses, emails, the records
 * named, the live link cards of the URLs named, the parent chains of the collections named,
 * the workspace owners and the kept outcomes; and last, the global seq counter, locked until
 * the commit (see migration 001).
 */
import { LIMITS, normalizeUrl } from '../../../protocol/index.ts';
import type { WriteIntent } from '../../sync/sync-ports.ts';
import { inOneRoundTrip, type PendingQuery, type Sql } from './connect.ts';
import { JOB_COLUMNS, type PgJobRow, rowToJob } from './preview-jobs.ts';
import { type PgRecordRow, rowToRecord } from './record-rows.ts';
import { type MoreToLoad, pairKey, recordKey, WorkingSet } from './working-set.ts';

const RECORD_COLUMNS =
  'tbl, id, workspace_id, owner_id, version, seq, deleted, purged, created_at, updated_at, fields, field_versions, field_writers';

/** A collection's ancestors are walked at most this deep: the apply path reads no further up. */
const MAX_PARENT_CHAIN = LIMITS.collectionDepth;

/**
 * PostgreSQL text cannot hold U+0000; a name with one (an unknown table, a bad URL, refused by
 * the rules later) cannot be stored either, so it is known absent without asking.
 */
function storable(...values: string[]): boolean {
  return values.every((value) => !value.includes('\u0000'));
}

/** What the intents of a group name, deduplicated; names that cannot be stored go to `absent`. */
function collect(intents: readonly WriteIntent[], more: MoreToLoad) {
  const users = new Set<string>();
  const emails = new Set<string>();
  const clients = new Set<string>();
  const idempotency = new Map<string, [string, string]>();
  const records = new Map<string, [string, string]>();
  const workspaces = new Set<string>();
  const links = new Map<string, [string, string]>();
  const parents = new Set<string>();
  const outcomes = new Map<string, [string, number]>();
  /** Cards whose preview job a write may queue, read or remove. */
  const cards = new Set<string>();
  /** Each intent's records in the order it names them: what a write may read, in order. */
  const named: { table: string; id: string; write: number; order: number; clientId: string; seq: number }[] = [];
  const absent = { emails: [] as string[], records: [] as string[], workspaces: [] as string[], links: [] as string[] };
  for (const [write, intent] of intents.entries()) {
    users.add(intent.userId);
    if (intent.email !== undefined)
      storable(intent.email) ? emails.add(intent.email) : absent.emails.push(intent.email);
    if (intent.clientId !== undefined) clients.add(intent.clientId);
    if (intent.idempotencyKey !== undefined) {
      idempotency.set(pairKey(intent.userId, intent.idempotencyKey), [intent.userId, intent.idempotencyKey]);
    }
    for (const record of intent.records) {
      const key = recordKey(record.table, record.recordId);
      if (storable(record.table, record.recordId)) {
        records.set(key, [record.table, record.recordId]);
        const { table, recordId: id } = record;
        named.push({ table, id, write, order: named.length, clientId: intent.clientId ?? '', seq: record.seq ?? 0 });
      } else absent.records.push(key);
      const { workspaceId } = record;
      if (workspaceId !== undefined)
        storable(workspaceId) ? workspaces.add(workspaceId) : absent.workspaces.push(workspaceId);
      if (intent.clientId !== undefined && record.seq !== undefined) {
        outcomes.set(pairKey(intent.clientId, record.seq), [intent.clientId, record.seq]);
      }
      if (record.table === 'cards' && storable(record.recordId)) cards.add(record.recordId);
      // Live link URLs are compared in their normal form (`liveLinkUrl`); one that is none is no link.
      const url = typeof record.fields?.url === 'string' ? normalizeUrl(record.fields.url) : null;
      if (url !== null && workspaceId !== undefined) {
        if (storable(url, workspaceId)) links.set(pairKey(workspaceId, url), [workspaceId, url]);
        else absent.links.push(pairKey(workspaceId, url));
      }
      const parentId = record.fields?.parentId;
      if (record.table === 'collections' && typeof parentId === 'string') {
        if (storable(parentId)) parents.add(parentId);
        else absent.records.push(recordKey('collections', parentId));
      }
    }
  }
  for (const [workspaceId, url] of more.links) {
    if (storable(url, workspaceId)) links.set(pairKey(workspaceId, url), [workspaceId, url]);
    else absent.links.push(pairKey(workspaceId, url));
  }
  return { users, emails, clients, idempotency, records, named, workspaces, links, parents, outcomes, cards, absent };
}

/** `query()`, or null when it would look up no key: known to find nothing, it is not sent. */
function lookup<Query>(keys: number, query: () => Query): Query | null {
  return keys > 0 ? query() : null;
}

function isWhole<Row extends Partial<PgRecordRow>>(row: Row): row is Row & PgRecordRow {
  return typeof row.fields === 'string';
}

function firsts<A>(pairs: Iterable<[A, unknown]>): A[] {
  return [...pairs].map((pair) => pair[0]);
}

function seconds<B>(pairs: Iterable<[unknown, B]>): B[] {
  return [...pairs].map((pair) => pair[1]);
}

/**
 * The records the writes name, with their fields only while, in the order a write names them,
 * the fields of those before pass no write's budget (`LIMITS.pushStoredBytes`, the most a push
 * may touch; each record counted once), or when asked for in full ($7): a push naming a thousand
 * 400 KB notes loads about 8 MiB of them, not 400 MB. A mutation already applied for its client
 * (a resend) reads its record's stamp only: it costs nothing and loads no fields. The records
 * past the budget come as stamps, their fields withheld.
 */
const NAMED_RECORDS = `
  WITH named AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::text[], $6::bigint[], $7::boolean[])
      AS n(tbl, id, write, ord, client_id, seq, in_full)),
  sized AS (
    SELECT n.tbl, n.id, n.write, n.ord, n.in_full, octet_length(r.fields) AS size,
        coalesce(n.seq > 0 AND n.seq <= c.last_seq, false) AS resent
      FROM named n JOIN records r ON r.tbl = n.tbl AND r.id = n.id LEFT JOIN clients c ON c.id = n.client_id),
  costed AS (
    SELECT *, CASE WHEN NOT in_full AND NOT resent
        AND row_number() OVER (PARTITION BY write, tbl, id, resent ORDER BY ord) = 1 THEN size ELSE 0 END AS cost
      FROM sized),
  chosen AS (
    SELECT tbl, id, bool_or(in_full OR (NOT resent AND before <= $8)) AS loaded
      FROM (SELECT *, sum(cost) OVER (PARTITION BY write ORDER BY ord) - cost AS before FROM costed) w
      GROUP BY tbl, id)
  SELECT r.tbl, r.id, r.workspace_id, r.owner_id, r.version, r.seq, r.deleted, r.purged, r.created_at, r.updated_at,
      CASE WHEN chosen.loaded THEN r.fields END AS fields,
      CASE WHEN chosen.loaded THEN r.field_versions END AS field_versions,
      CASE WHEN chosen.loaded THEN r.field_writers END AS field_writers
    FROM chosen JOIN records r ON r.tbl = chosen.tbl AND r.id = chosen.id`;

/**
 * Loads what `intents` will read into a new working set, inside the transaction `tx`, and
 * what a run before found it needed (`more`): records with their fields whatever their size,
 * the link cards of URLs no intent named. `opening`: the transaction's BEGIN, sent first in the
 * same round trip (a loopback write costs about 0.2 ms here; a push at batch 1 paid four).
 */
export async function loadWrites(
  tx: Sql,
  intents: readonly WriteIntent[],
  quotaBytes: number,
  nowMs: number,
  more: MoreToLoad = { records: [], links: [] },
  opening: PendingQuery[] = [],
) {
  const loadInFull = new Set(more.records);
  const wanted = collect(intents, more);
  const users = [...wanted.users].sort();
  const recordPairs = [...wanted.records.values()];
  const linkPairs = [...wanted.links.values()];
  const [
    userRows,
    clientRows,
    emailRows,
    idempotentRows,
    recordRows,
    linkRows,
    parentRows,
    ownerRows,
    outcomeRows,
    jobRows,
    [{ value: seq }],
  ] = await inOneRoundTrip(tx, opening, [
    tx<{ id: string; storage_bytes: number }[]>`
        SELECT id, storage_bytes FROM users WHERE id = ANY(${users}::text[]) ORDER BY id FOR NO KEY UPDATE`,
    lookup(
      wanted.clients.size,
      () => tx<{ id: string; user_id: string; last_seq: number }[]>`
        SELECT id, user_id, last_seq FROM clients WHERE id = ANY(${[...wanted.clients].sort()}::text[])
          ORDER BY id FOR UPDATE`,
    ),
    lookup(
      wanted.emails.size,
      () => tx<{ email: string }[]>`SELECT email FROM users WHERE email = ANY(${[...wanted.emails]}::text[])`,
    ),
    lookup(
      wanted.idempotency.size,
      () => tx<{ user_id: string; key: string; fingerprint: string; status: number; body: string }[]>`
        SELECT user_id, key, fingerprint, status, body FROM idempotency
          WHERE (user_id, key) IN (SELECT * FROM unnest(${firsts(wanted.idempotency.values())}::text[],
            ${seconds(wanted.idempotency.values())}::text[]))`,
    ),
    lookup(wanted.named.length, () =>
      tx.unsafe<(Omit<PgRecordRow, 'fields' | 'field_versions' | 'field_writers'> & Partial<PgRecordRow>)[]>(
        NAMED_RECORDS,
        [
          wanted.named.map((n) => n.table),
          wanted.named.map((n) => n.id),
          wanted.named.map((n) => n.write),
          wanted.named.map((n) => n.order),
          wanted.named.map((n) => n.clientId),
          wanted.named.map((n) => n.seq),
          wanted.named.map((n) => loadInFull.has(recordKey(n.table, n.id))),
          LIMITS.pushStoredBytes,
        ] as never[],
        { prepare: true },
      ),
    ),
    lookup(linkPairs.length, () =>
      tx.unsafe<(PgRecordRow & { link_url: string })[]>(
        `SELECT ${RECORD_COLUMNS}, link_url FROM records
          WHERE (workspace_id, link_url) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [firsts(linkPairs), seconds(linkPairs)] as never[],
        { prepare: true },
      ),
    ),
    lookup(wanted.parents.size, () =>
      tx.unsafe<(PgRecordRow & { chain_id: string })[]>(
        `WITH RECURSIVE chain(id, depth) AS (
           SELECT unnest($1::text[]), 0
           UNION
           SELECT r.fields::jsonb->>'parentId', chain.depth + 1 FROM chain
             JOIN records r ON r.tbl = 'collections' AND r.id = chain.id
             WHERE chain.depth < ${MAX_PARENT_CHAIN} AND r.fields::jsonb->>'parentId' IS NOT NULL)
         SELECT DISTINCT ON (chain.id) chain.id AS chain_id, r.tbl, r.id, r.workspace_id, r.owner_id, r.version,
             r.seq, r.deleted, r.purged, r.created_at, r.updated_at, r.fields, r.field_versions, r.field_writers
           FROM chain LEFT JOIN records r ON r.tbl = 'collections' AND r.id = chain.id`,
        [[...wanted.parents]] as never[],
        { prepare: true },
      ),
    ),
    lookup(
      wanted.workspaces.size + recordPairs.length,
      () =>
        tx<{ workspace_id: string; owner_id: string }[]>`
        SELECT workspace_id, owner_id FROM workspace_owners
          WHERE workspace_id = ANY(${[...wanted.workspaces]}::text[])
             OR workspace_id IN (SELECT workspace_id FROM records WHERE (tbl, id) IN
               (SELECT * FROM unnest(${firsts(recordPairs)}::text[], ${seconds(recordPairs)}::text[])))`,
    ),
    lookup(
      wanted.outcomes.size,
      () =>
        tx<{ client_id: string; seq: number; mutation_id: string; outcome: string }[]>`
        SELECT client_id, seq, mutation_id, outcome FROM push_outcomes
          WHERE (client_id, seq) IN (SELECT * FROM unnest(${firsts(wanted.outcomes.values())}::text[],
            ${seconds(wanted.outcomes.values())}::bigint[]))`,
    ),
    lookup(
      wanted.cards.size,
      () =>
        tx<
          PgJobRow[]
        >`SELECT ${tx.unsafe(JOB_COLUMNS)} FROM preview_jobs WHERE card_id = ANY(${[...wanted.cards]}::text[])`,
    ),
    // Last in the pipeline: taken once the rows above are locked and read, held until the commit.
    tx<{ value: number }[]>`SELECT value FROM counters WHERE name = 'seq' FOR UPDATE`,
  ]);

  const set = new WorkingSet(seq, nowMs, quotaBytes);
  for (const email of wanted.absent.emails) set.emails.load(email, false);
  for (const key of wanted.absent.records) set.records.load(key, null);
  for (const id of wanted.absent.workspaces) set.owners.load(id, null);
  for (const key of wanted.absent.links) set.linkCards.set(key, []);
  for (const row of userRows) set.storageBytes.load(row.id, row.storage_bytes);
  for (const id of wanted.clients) set.clients.load(id, null);
  for (const row of clientRows) set.clients.load(row.id, { userId: row.user_id, lastSeq: row.last_seq });
  for (const email of wanted.emails) set.emails.load(email, false);
  for (const row of emailRows) set.emails.load(row.email, true);
  for (const key of wanted.idempotency.keys()) set.idempotent.load(key, null);
  for (const row of idempotentRows) {
    const { fingerprint, status, body } = row;
    set.idempotent.load(pairKey(row.user_id, row.key), { fingerprint, status, body });
  }
  const named = new Set(recordRows.map((row) => recordKey(row.tbl, row.id)));
  for (const key of wanted.records.keys()) if (!named.has(key)) set.records.load(key, null);
  // Every collection on a chain, the missing ones too (a parent purged since).
  for (const row of parentRows) {
    const key = recordKey('collections', row.chain_id);
    set.records.load(key, row.tbl === null ? null : rowToRecord(row));
    if (row.tbl !== null) set.storedSizes.set(key, row.fields.length);
  }
  for (const row of [...recordRows, ...linkRows]) {
    const key = recordKey(row.tbl, row.id);
    if (!isWhole(row)) continue;
    set.records.load(key, rowToRecord(row));
    set.storedSizes.set(key, row.fields.length);
  }
  // Withheld, unless another query brought them whole (a parent, a link card).
  for (const row of recordRows) {
    const key = recordKey(row.tbl, row.id);
    if (isWhole(row) || set.records.has(key)) continue;
    const { owner_id: ownerId, version, seq: recordSeq, deleted, updated_at: updatedAt } = row;
    set.withhold(key, { ownerId, version, seq: recordSeq, deleted, updatedAt });
  }
  for (const key of wanted.links.keys()) set.linkCards.set(key, []);
  for (const row of linkRows)
    set.linkCards.get(pairKey(row.workspace_id, row.link_url))?.push(recordKey(row.tbl, row.id));
  for (const id of wanted.workspaces) set.owners.load(id, null);
  for (const row of ownerRows) set.owners.load(row.workspace_id, row.owner_id);
  for (const key of wanted.outcomes.keys()) set.outcomes.load(key, null);
  for (const row of outcomeRows) {
    set.outcomes.load(pairKey(row.client_id, row.seq), {
      mutationId: row.mutation_id,
      outcome: JSON.parse(row.outcome),
    });
  }
  for (const cardId of wanted.cards) set.previewJobs.load(cardId, null);
  for (const row of jobRows) set.previewJobs.load(row.card_id, rowToJob(row));
  return set;
}
