/**
 * The audit: from the ledger (what clients committed), the wire tap (what the server executed
 * and answered) and the final states (server snapshot, incremental feed, every device), counts
 * lost, duplicated, stuck and diverged writes. Pure: the run gathers, this judges.
 *
 * - lost: a committed op whose mutation never executed on the server and is not in the
 *   client's failed list; a rejection or conflict the client dropped; an acknowledged change
 *   the server later forgot (a record version or a feed seq reused, a version going back).
 * - duplicated: one mutation executed twice (two decisive results), one op's token carried by
 *   two mutations, one REST key executed twice, or a record with more versions than writes.
 * - stuck: outbox entries still pending at the end.
 * - diverged: a device's record (any table, deleted ones included) differing from the server's,
 *   and a feed that is not strictly increasing, misses a record, or disagrees with an
 *   incremental reader.
 */
import type { Envelope, Mutation, MutationResult } from '../../protocol/index.ts';
import type { RecordView } from '../../src/store/types.ts';
import type { CommittedOp } from './ledger.ts';
import { type PushExchange, type RestExchange, stringValues } from './wire-tap.ts';

/** A record at a version, as the server told of it: in a whole envelope, or in a push result's stamp. */
export type SeenVersion = Pick<Envelope, 'table' | 'id' | 'version' | 'seq'>;

/** A device at the end of the run. */
export interface DeviceFinal {
  name: string;
  pending: number;
  /** Ids of every mutation seen in this device's failed list during the final phase. */
  failedIds: ReadonlySet<string>;
  /** Ids of every mutation seen in this device's conflict list during the final phase. */
  conflictIds: ReadonlySet<string>;
  /** Every record of every table, deleted ones included. */
  records: readonly RecordView[];
}

export interface AuditInput {
  ops: readonly CommittedOp[];
  pushes: readonly PushExchange[];
  restWrites: readonly RestExchange[];
  /** Every record version the server told of during the run (push results' stamps, REST answers, pulls). */
  envelopes: readonly SeenVersion[];
  /** Record versions that existed before the run (the signup workspace), by record key. */
  baseline: ReadonlyMap<string, number>;
  /** Pull from 0 at the end, in feed order. */
  server: readonly Envelope[];
  /** What a reader pulling incrementally from cursor to cursor all along ended with. */
  incremental: ReadonlyMap<string, Envelope>;
  devices: readonly DeviceFinal[];
}

export interface AuditReport {
  ops: number;
  lost: number;
  duplicated: number;
  stuck: number;
  diverged: number;
  /** Ops whose delivery could not be verified (a delete or restore acknowledged before the client was looked at). */
  unverified: number;
  /**
   * Of `lost`: conflicts and rejections the client never showed although the resend was
   * answered `duplicate` (the answer lost; lost-answer.test.ts). Named apart to point at the
   * duplicate's `original` when it is not zero.
   */
  lostAnswers: number;
  /** One line per problem found, for the person reading the run's output. */
  problems: string[];
}

/** `table/id`: one record. */
export function recordKey(record: { table: string; id: string }): string {
  return `${record.table}/${record.id}`;
}

const DECISIVE = new Set(['applied', 'conflict', 'rejected']);

/** Everything the server did with one mutation id. */
interface MutationTrail {
  mutation: Mutation;
  /** Executed (not replayed) decisive results. */
  decisive: MutationResult[];
  /**
   * Decisive results replayed from the idempotency store: proof that an earlier request executed
   * it (the entry is written in the apply's transaction), e.g. one whose answer died with the server.
   */
  replayed: MutationResult[];
  /** Slots (`clientId#seq`) where the server answered `duplicate` for it. */
  duplicateAt: string[];
  /** Slots where it went out in a request whose outcome is unknown (server killed). */
  unknownAt: string[];
}

class Findings {
  lost = 0;
  duplicated = 0;
  stuck = 0;
  diverged = 0;
  unverified = 0;
  lostAnswers = 0;
  readonly problems: string[] = [];

  add(kind: 'lost' | 'duplicated' | 'diverged', count: number, message: string): void {
    if (count <= 0) return;
    this[kind] += count;
    this.problems.push(`${kind}: ${message}`);
  }
}

/** Judges a run. */
export function audit(input: AuditInput): AuditReport {
  const findings = new Findings();
  const trails = traceMutations(input.pushes, findings);
  const tokenCarriers = indexTokens(trails);
  checkOps(input, trails, tokenCarriers, findings);
  checkDuplicateExecutions(trails, input.restWrites, findings);
  checkVersions(input, findings);
  checkWriterCounts(input, trails, findings);
  checkFeed(input, findings);
  checkDevices(input, findings);
  return {
    ops: input.ops.length,
    lost: findings.lost,
    duplicated: findings.duplicated,
    stuck: findings.stuck,
    diverged: findings.diverged,
    unverified: findings.unverified,
    lostAnswers: findings.lostAnswers,
    problems: findings.problems,
  };
}

function slot(clientId: string, seq: number): string {
  return `${clientId}#${seq}`;
}

/** Builds each mutation's trail and checks that no client seq carried two different executed mutations. */
function traceMutations(pushes: readonly PushExchange[], findings: Findings): Map<string, MutationTrail> {
  const trails = new Map<string, MutationTrail>();
  const executedAtSlot = new Map<string, string>();
  for (const push of pushes) {
    const executed = push.outcome === 'answered' && push.status === 200 && !push.replayed && push.response !== null;
    push.mutations.forEach((mutation, index) => {
      let trail = trails.get(mutation.id);
      if (!trail) {
        trail = { mutation, decisive: [], replayed: [], duplicateAt: [], unknownAt: [] };
        trails.set(mutation.id, trail);
      }
      const at = slot(push.clientId, mutation.seq);
      if (push.outcome === 'unknown') trail.unknownAt.push(at);
      const result = push.response?.results[index];
      if (!result) return;
      if (result.status === 'duplicate') trail.duplicateAt.push(at);
      if (!DECISIVE.has(result.status)) return;
      if (push.replayed && push.status === 200) trail.replayed.push(result);
      if (!executed) return;
      trail.decisive.push(result);
      const earlier = executedAtSlot.get(at);
      if (earlier !== undefined && earlier !== mutation.id) {
        findings.add('lost', 1, `seq ${at} executed twice, for ${earlier} then ${mutation.id}: the server forgot it`);
      }
      executedAtSlot.set(at, mutation.id);
    });
  }
  return trails;
}

/**
 * Token value → ids of the mutations whose fields carried it; and `create:<recordId>` → the
 * create mutations of a record (a create's token may be overwritten by an update merged into it).
 */
function indexTokens(trails: Map<string, MutationTrail>): Map<string, Set<string>> {
  const carriers = new Map<string, Set<string>>();
  const add = (key: string, id: string) => {
    const set = carriers.get(key) ?? new Set<string>();
    set.add(id);
    carriers.set(key, set);
  };
  for (const [id, trail] of trails) {
    for (const value of stringValues(trail.mutation.fields)) add(value, id);
    if (trail.mutation.op === 'create') add(`create:${trail.mutation.recordId}`, id);
  }
  return carriers;
}

/**
 * True when the server executed the mutation: a decisive result, executed or replayed, or
 * `duplicate` where it went out unanswered.
 */
function executed(trail: MutationTrail): boolean {
  return (
    trail.decisive.length > 0 ||
    trail.replayed.length > 0 ||
    trail.duplicateAt.some((at) => trail.unknownAt.includes(at))
  );
}

function checkOps(
  input: AuditInput,
  trails: Map<string, MutationTrail>,
  tokenCarriers: Map<string, Set<string>>,
  findings: Findings,
): void {
  const devices = new Map(input.devices.map((device) => [device.name, device]));
  for (const [actor, ops] of groupBy(input.ops, (op) => op.actor)) {
    for (let index = 0; index < ops.length; index++) {
      const op = ops[index];
      if (op.idempotencyKey !== undefined) checkRestOp(op, input.restWrites, findings);
      else checkOp(ops, index, devices.get(actor), trails, tokenCarriers, findings);
    }
  }
}

/** One client op: carried by exactly one mutation the server executed (or superseded by a merge). */
function checkOp(
  ops: readonly CommittedOp[],
  index: number,
  device: DeviceFinal | undefined,
  trails: Map<string, MutationTrail>,
  tokenCarriers: Map<string, Set<string>>,
  findings: Findings,
): void {
  const op = ops[index];
  const carriers = carriersOf(op, tokenCarriers, trails);
  if (carriers === null) {
    findings.unverified += 1;
    return;
  }
  if (carriers.length > 1) {
    findings.add(
      'duplicated',
      carriers.length - 1,
      `op ${op.n} (${describe(op)}) went out as ${carriers.length} mutations`,
    );
  }
  if (carriers.length === 0 && !supersededByMerge(ops, index, tokenCarriers, trails) && !purgedLater(ops, index)) {
    findings.add('lost', 1, `op ${op.n} (${describe(op)}) never reached the server`);
  }
  const purged = purgedLater(ops, index);
  for (const id of carriers) checkCarrier(op, id, trails.get(id) as MutationTrail, device, findings, purged);
}

/** The mutations that carried `op`: by token for creates and updates, by id for deletes and restores; null when unknown. */
function carriersOf(
  op: CommittedOp,
  tokenCarriers: Map<string, Set<string>>,
  trails: Map<string, MutationTrail>,
): string[] | null {
  const tokens = Object.values(op.tokens);
  if (tokens.length === 0) {
    if (op.mutationId === undefined) return null;
    return trails.has(op.mutationId) ? [op.mutationId] : [];
  }
  const ids = new Set<string>(op.kind === 'create' ? tokenCarriers.get(`create:${op.recordId}`) : []);
  for (const token of tokens) {
    for (const id of tokenCarriers.get(token) ?? []) {
      if (trails.get(id)?.mutation.recordId === op.recordId) ids.add(id);
    }
  }
  if (op.mutationId !== undefined && trails.has(op.mutationId)) ids.add(op.mutationId);
  return [...ids];
}

/**
 * An update whose token never went out is fine when a later update of the same record by the
 * same client overwrote that field before it was sent: the outbox merges updates of one
 * record into its unsent tail entry, so only the newest value of a field is ever sent.
 */
function supersededByMerge(
  ops: readonly CommittedOp[],
  index: number,
  tokenCarriers: Map<string, Set<string>>,
  trails: Map<string, MutationTrail>,
): boolean {
  const op = ops[index];
  if (op.kind !== 'update') return false;
  const fields = Object.keys(op.tokens);
  for (let later = index + 1; later < ops.length; later++) {
    const next = ops[later];
    if (next.kind !== 'update' || next.table !== op.table || next.recordId !== op.recordId) return false;
    const overwrites = fields.every((field) => field in next.tokens);
    if (overwrites && (carriersOf(next, tokenCarriers, trails)?.length ?? 0) > 0) return true;
  }
  return false;
}

/**
 * An op that never went out is fine when the same client purged its record later: a purge turns
 * the record's unsent entries into purges without fields (or, when nothing else waits and the
 * server never saw the record, drops them), so what they wrote is rightly never sent. Likewise
 * a conflict of it the client stopped showing: deleting the record for good settles it.
 */
function purgedLater(ops: readonly CommittedOp[], index: number): boolean {
  const op = ops[index];
  return ops.slice(index + 1).some((next) => next.kind === 'purge' && next.recordId === op.recordId);
}

function checkCarrier(
  op: CommittedOp,
  id: string,
  trail: MutationTrail,
  device: DeviceFinal | undefined,
  findings: Findings,
  purgedLater = false,
): void {
  if (device?.failedIds.has(id)) return;
  if (!executed(trail)) {
    findings.add('lost', 1, `op ${op.n} (${describe(op)}), mutation ${id}, was sent but never executed`);
    return;
  }
  const status = (trail.decisive[0] ?? trail.replayed[0])?.status;
  // A client that never learnt the answer (it was lost and the resend was answered `duplicate`) drops it.
  const answeredDuplicateLater = trail.duplicateAt.length > 0;
  const later = answeredDuplicateLater ? `; later answered duplicate ${trail.duplicateAt.length}×` : '';
  const dropped =
    status === 'rejected' && device
      ? 'was rejected but is not in the failed list'
      : status === 'conflict' && device && !device.conflictIds.has(id) && !purgedLater
        ? 'met a conflict the client never showed'
        : null;
  if (dropped === null) return;
  findings.add('lost', 1, `op ${op.n} (${describe(op)}), mutation ${id}, ${dropped}${later}`);
  if (answeredDuplicateLater) findings.lostAnswers += 1;
}

/** A REST POST or PATCH: executed exactly once under its Idempotency-Key. */
function checkRestOp(op: CommittedOp, restWrites: readonly RestExchange[], findings: Findings): void {
  const exchanges = restWrites.filter((write) => write.idempotencyKey === op.idempotencyKey);
  const executions = exchanges.filter((write) => isRestExecution(write)).length;
  const replays = exchanges.filter((write) => write.replayed && write.status !== null && write.status < 300).length;
  if (executions === 0 && replays === 0) {
    findings.add('lost', 1, `op ${op.n} (${describe(op)}) was acknowledged but never executed`);
  }
}

function isRestExecution(write: RestExchange): boolean {
  return write.outcome === 'answered' && write.status !== null && write.status < 300 && !write.replayed;
}

/** One mutation with two executed decisive results, or one REST key executed twice: applied twice. */
function checkDuplicateExecutions(
  trails: Map<string, MutationTrail>,
  restWrites: readonly RestExchange[],
  findings: Findings,
): void {
  for (const [id, trail] of trails) {
    findings.add(
      'duplicated',
      trail.decisive.length - 1,
      `mutation ${id} (${trail.mutation.op} ${trail.mutation.table}/${trail.mutation.recordId}) executed ${trail.decisive.length} times`,
    );
  }
  const byKey = groupBy(
    restWrites.filter((write) => write.idempotencyKey !== null && isRestExecution(write)),
    (write) => write.idempotencyKey as string,
  );
  for (const [key, writes] of byKey) {
    findings.add('duplicated', writes.length - 1, `REST key ${key} executed ${writes.length} times`);
  }
}

/** Versions and seqs never reused: a reuse means an acknowledged change was forgotten. */
function checkVersions(input: AuditInput, findings: Findings): void {
  const all = [...input.envelopes, ...input.server].filter((envelope) => envelope.version > 0);
  const seqOwner = new Map<number, string>();
  const versions = new Map<string, Map<number, number>>();
  for (const envelope of all) {
    const key = recordKey(envelope);
    const owner = seqOwner.get(envelope.seq);
    if (owner !== undefined && owner !== key) {
      findings.add('lost', 1, `seq ${envelope.seq} names both ${owner} and ${key}`);
    }
    seqOwner.set(envelope.seq, key);
    const seqs = versions.get(key) ?? new Map<number, number>();
    const seen = seqs.get(envelope.version);
    if (seen !== undefined && seen !== envelope.seq) {
      findings.add('lost', 1, `${key} version ${envelope.version} came with seq ${seen} and ${envelope.seq}`);
    }
    seqs.set(envelope.version, envelope.seq);
    versions.set(key, seqs);
  }
  for (const [key, seqs] of versions) {
    const ordered = [...seqs].sort(([, a], [, b]) => a - b);
    if (ordered.some(([version], i) => i > 0 && version <= ordered[i - 1][0])) {
      findings.add('lost', 1, `${key}: a later seq carries an older version`);
    }
  }
}

/**
 * Every version of a record was made by a distinct write: a create, update, delete or restore
 * the server executed (or may have, when the server died answering it). More versions than
 * writes means something was applied twice.
 */
function checkWriterCounts(input: AuditInput, trails: Map<string, MutationTrail>, findings: Findings): void {
  const writes = new Map<string, number>(input.baseline);
  const count = (key: string) => writes.set(key, (writes.get(key) ?? 0) + 1);
  for (const trail of trails.values()) {
    if (trail.decisive.length > 0 || trail.unknownAt.length > 0)
      count(recordKey({ table: trail.mutation.table, id: trail.mutation.recordId }));
  }
  const restKeys = new Set<string>();
  for (const write of input.restWrites) {
    if (write.recordId === null || !(isRestExecution(write) || write.outcome === 'unknown')) continue;
    if (write.idempotencyKey !== null) {
      if (restKeys.has(write.idempotencyKey)) continue;
      restKeys.add(write.idempotencyKey);
    }
    count(recordKey({ table: write.table, id: write.recordId }));
  }
  for (const envelope of input.server) {
    const key = recordKey(envelope);
    const made = writes.get(key) ?? 0;
    findings.add(
      'duplicated',
      envelope.version - made,
      `${key} is at version ${envelope.version} after ${made} writes`,
    );
  }
}

/** The change feed: strictly increasing, complete, and what an incremental reader saw. */
function checkFeed(input: AuditInput, findings: Findings): void {
  const latest = new Map<string, Envelope>();
  input.server.forEach((envelope, i) => {
    if (i > 0 && envelope.seq <= input.server[i - 1].seq) {
      findings.add('diverged', 1, `feed seq ${envelope.seq} after ${input.server[i - 1].seq}`);
    }
    if (latest.has(recordKey(envelope))) findings.add('diverged', 1, `${recordKey(envelope)} twice in one snapshot`);
    latest.set(recordKey(envelope), envelope);
  });
  const newest = new Map<string, number>();
  for (const envelope of input.envelopes) {
    if (envelope.version > 0)
      newest.set(recordKey(envelope), Math.max(newest.get(recordKey(envelope)) ?? 0, envelope.version));
  }
  for (const [key, version] of newest) {
    const final = latest.get(key);
    if (!final) findings.add('diverged', 1, `${key} (version ${version} acknowledged) is missing from the feed`);
    else if (final.version < version)
      findings.add('lost', 1, `${key} went back from version ${version} to ${final.version}`);
  }
  for (const [key, envelope] of latest) {
    const seen = input.incremental.get(key);
    if (!seen || seen.version !== envelope.version || seen.seq !== envelope.seq) {
      findings.add(
        'diverged',
        1,
        `${key}: incremental reader has ${seen ? `v${seen.version}@${seen.seq}` : 'nothing'}, feed v${envelope.version}@${envelope.seq}`,
      );
    }
  }
  for (const key of input.incremental.keys()) {
    if (!latest.has(key)) findings.add('diverged', 1, `${key}: incremental reader has it, the snapshot does not`);
  }
}

/** Nothing pending, and every device shows exactly the server's records. */
function checkDevices(input: AuditInput, findings: Findings): void {
  const server = new Map(input.server.map((envelope) => [recordKey(envelope), envelope]));
  for (const device of input.devices) {
    findings.stuck += device.pending;
    if (device.pending > 0) findings.problems.push(`stuck: ${device.name} still has ${device.pending} pending`);
    const local = new Map(device.records.map((record) => [recordKey(record), record]));
    for (const [key, envelope] of server) {
      const mine = local.get(key);
      // A purged record is gone from every device: its tombstone stays on the server only.
      if (envelope.purged) {
        if (mine) findings.add('diverged', 1, `${device.name} ${key}: still shown though purged on the server`);
        continue;
      }
      const difference = !mine
        ? 'missing'
        : mine.version !== envelope.version
          ? `v${mine.version} vs server v${envelope.version}`
          : mine.deleted !== envelope.deleted
            ? `deleted ${mine.deleted} vs server ${envelope.deleted}`
            : !sameJson(mine.fields, envelope.fields)
              ? `fields ${JSON.stringify(mine.fields)} vs server ${JSON.stringify(envelope.fields)}`
              : null;
      if (difference) findings.add('diverged', 1, `${device.name} ${key}: ${difference}`);
    }
    for (const [key, record] of local) {
      if (!server.has(key))
        findings.add('diverged', 1, `${device.name} ${key}: not on the server (${describeRecord(record)})`);
    }
  }
}

/** A device record as the audit saw it: enough to tell how it was left behind. */
function describeRecord(record: AuditInput['devices'][number]['records'][number]): string {
  return `v${record.version} deleted=${record.deleted} pending=${record.pending} conflict=${record.conflict}`;
}

/** JSON equality ignoring object key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, canonical(inner)]),
    );
  }
  return value;
}

/** `Map.groupBy`, which Node 20 lacks. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function describe(op: CommittedOp): string {
  return `${op.actor} ${op.kind} ${op.table}/${op.recordId}${op.via ? ` via ${op.via}` : ''}`;
}
