/** The audit on hand-made runs: a clean run counts nothing; each kind of fault is counted. */
import { describe, expect, it } from 'vitest';
import type { Envelope, Mutation, MutationResult, TableName } from '../../protocol/index.ts';
import type { RecordView } from '../../src/store/types.ts';
import { type AuditInput, audit, recordKey } from './audit.ts';
import type { CommittedOp } from './ledger.ts';
import type { PushExchange } from './wire-tap.ts';

const WORKSPACE = '00000000-0000-7000-8000-000000000000';
const CARD = '00000000-0000-7000-8000-000000000001';
const CLIENT = '00000000-0000-7000-8000-0000000000c1';

function envelope(version: number, seq: number, fields: Record<string, unknown>, table: TableName = 'cards'): Envelope {
  return {
    table,
    id: CARD,
    workspaceId: WORKSPACE,
    version,
    seq,
    deleted: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    fields,
  };
}

function mutation(id: string, seq: number, op: Mutation['op'], fields?: Record<string, unknown>): Mutation {
  return {
    seq,
    id,
    table: 'cards',
    op,
    recordId: CARD,
    workspaceId: WORKSPACE,
    baseVersion: 0,
    fields,
    clientTime: '',
  };
}

/** A result without its `seq` and `id` (filled in from the mutation). */
type ResultBody = MutationResult extends infer R ? (R extends MutationResult ? Omit<R, 'seq' | 'id'> : never) : never;

/** An executed push of one mutation answered with `result` (its record, when any). */
function push(m: Mutation, result: ResultBody, extra: Partial<PushExchange> = {}): PushExchange {
  const full = { seq: m.seq, id: m.id, ...result } as MutationResult;
  return {
    clientId: CLIENT,
    mutations: [m],
    idempotencyKey: `${CLIENT}.${m.seq}.${m.seq}`,
    outcome: 'answered',
    status: 200,
    replayed: false,
    response: { protocol: 1, lastSeq: m.seq, cursor: 0, results: [full] },
    ...extra,
  };
}

/** The result of `record`'s version made by the mutation, as the server answers it. */
function applied(record: Envelope): ResultBody {
  const { version, seq, deleted, updatedAt } = record;
  return { status: 'applied', fromVersion: version - 1, stamp: { version, seq, deleted, updatedAt } };
}

function stampOf({ version, seq, deleted, updatedAt }: Envelope) {
  return { version, seq, deleted, updatedAt };
}

function view(record: Envelope): RecordView {
  const { table, id, workspaceId, version, deleted, fields } = record;
  return { table, id, workspaceId, version, deleted, fields, pending: false, conflict: false };
}

function op(n: number, kind: CommittedOp['kind'], tokens: Record<string, string>): CommittedOp {
  return { n, actor: 'device-1', kind, table: 'cards', recordId: CARD, tokens };
}

/** A run of one device that created a card (token A) and retitled it (token B), both executed once. */
function cleanRun(): AuditInput {
  const v1 = envelope(1, 10, { title: 'A' });
  const v2 = envelope(2, 11, { title: 'B' });
  return {
    ops: [op(1, 'create', { title: 'A' }), op(2, 'update', { title: 'B' })],
    pushes: [
      push(mutation('m1', 1, 'create', { title: 'A' }), applied(v1)),
      push(mutation('m2', 2, 'update', { title: 'B' }), applied(v2)),
    ],
    restWrites: [],
    envelopes: [v1, v2],
    baseline: new Map(),
    server: [v2],
    incremental: new Map([[recordKey(v2), v2]]),
    devices: [{ name: 'device-1', pending: 0, failedIds: new Set(), conflictIds: new Set(), records: [view(v2)] }],
  };
}

function counts(input: AuditInput) {
  const { lost, duplicated, stuck, diverged, lostAnswers } = audit(input);
  return { lost, duplicated, stuck, diverged, lostAnswers };
}

const CLEAN = { lost: 0, duplicated: 0, stuck: 0, diverged: 0, lostAnswers: 0 };

describe('audit', () => {
  it('counts nothing on a clean run', () => {
    expect(counts(cleanRun())).toEqual(CLEAN);
  });

  it('counts an op no mutation carried as lost', () => {
    const run = cleanRun();
    run.ops = [...run.ops, op(3, 'update', { description: 'C' })];
    expect(counts(run)).toEqual({ ...CLEAN, lost: 1 });
  });

  it('does not count an update whose field a later merged update overwrote', () => {
    const run = cleanRun();
    // Op 2 wrote title B; op 3 wrote title B2 before it was sent: one entry went out, with B2.
    const v2 = envelope(2, 11, { title: 'B2' });
    run.ops = [run.ops[0], op(2, 'update', { title: 'B' }), op(3, 'update', { title: 'B2' })];
    run.pushes = [run.pushes[0], push(mutation('m2', 2, 'update', { title: 'B2' }), applied(v2))];
    run.envelopes = [run.envelopes[0], v2];
    run.server = [v2];
    run.incremental = new Map([[recordKey(v2), v2]]);
    run.devices = [{ ...run.devices[0], records: [view(v2)] }];
    expect(counts(run)).toEqual(CLEAN);
  });

  it('does not count an update a later purge by the same client kept from going out, nor the purged record’s absence', () => {
    const run = cleanRun();
    // Op 2's update was still unsent when op 3 purged the card: its entry went out as the purge.
    const v2 = { ...envelope(2, 11, {}), deleted: true, purged: true as const };
    run.ops = [run.ops[0], op(2, 'update', { title: 'B' }), { ...op(3, 'purge', {}), mutationId: 'm2' }];
    run.pushes = [run.pushes[0], push(mutation('m2', 2, 'purge'), applied(v2))];
    run.envelopes = [run.envelopes[0], v2];
    run.server = [v2];
    run.incremental = new Map([[recordKey(v2), v2]]);
    run.devices = [{ ...run.devices[0], records: [] }];
    expect(counts(run)).toEqual(CLEAN);
  });

  it('does not count a conflict the client stopped showing once it purged the record', () => {
    const run = cleanRun();
    const v2 = { ...envelope(2, 11, {}), deleted: true, purged: true as const };
    const m2 = mutation('m2', 2, 'update', { title: 'B' });
    run.ops = [...run.ops, { ...op(3, 'purge', {}), mutationId: 'm3' }];
    run.pushes = [
      run.pushes[0],
      push(m2, { status: 'conflict', code: 'deleted', fromVersion: 2, stamp: stampOf(v2) }),
      push(mutation('m3', 3, 'purge'), { status: 'applied', fromVersion: 2, stamp: stampOf(v2) }),
    ];
    run.envelopes = [run.envelopes[0], v2];
    run.server = [v2];
    run.incremental = new Map([[recordKey(v2), v2]]);
    run.devices = [{ ...run.devices[0], records: [] }];
    expect(counts(run)).toEqual(CLEAN);
    // Without the purge the same conflict is lost.
    run.ops = run.ops.slice(0, 2);
    expect(counts(run).lost).toBe(1);
  });

  it('counts a device still showing a record purged on the server as diverged', () => {
    const run = cleanRun();
    const v3 = { ...envelope(3, 12, {}), deleted: true, purged: true as const };
    run.ops = [...run.ops, op(3, 'purge', {})];
    run.pushes = [...run.pushes, push(mutation('m3', 3, 'purge'), applied(v3))];
    run.server = [v3];
    run.incremental = new Map([[recordKey(v3), v3]]);
    expect(counts(run)).toEqual({ ...CLEAN, diverged: 1 });
  });

  it('counts a mutation executed twice (resent under a new seq) as duplicated', () => {
    const run = cleanRun();
    const v3 = envelope(3, 12, { title: 'B' });
    run.pushes = [...run.pushes, push(mutation('m2', 3, 'update', { title: 'B' }), applied(v3))];
    run.server = [v3];
    run.incremental = new Map([[recordKey(v3), v3]]);
    run.devices = [{ ...run.devices[0], records: [view(v3)] }];
    expect(counts(run).duplicated).toBeGreaterThanOrEqual(1);
    expect(counts(run).lost).toBe(0);
  });

  it('counts a record with more versions than writes as duplicated', () => {
    const run = cleanRun();
    const v3 = envelope(3, 12, { title: 'B' });
    run.server = [v3];
    run.incremental = new Map([[recordKey(v3), v3]]);
    run.devices = [{ ...run.devices[0], records: [view(v3)] }];
    expect(counts(run)).toEqual({ ...CLEAN, duplicated: 1 });
  });

  it('counts a `duplicate` answer for a mutation never executed (its seq reused) as lost', () => {
    const run = cleanRun();
    run.pushes = [run.pushes[0], push(mutation('m2', 1, 'update', { title: 'B' }), { status: 'duplicate' })];
    run.envelopes = [run.envelopes[0]];
    const v1 = envelope(1, 10, { title: 'A' });
    run.server = [v1];
    run.incremental = new Map([[recordKey(v1), v1]]);
    run.devices = [{ ...run.devices[0], records: [view(v1)] }];
    expect(counts(run)).toEqual({ ...CLEAN, lost: 1 });
  });

  it('accepts a `duplicate` answer for a mutation whose first answer was lost in a crash', () => {
    const run = cleanRun();
    const m2 = mutation('m2', 2, 'update', { title: 'B' });
    run.pushes = [
      run.pushes[0],
      {
        ...push(m2, applied(envelope(2, 11, { title: 'B' }))),
        outcome: 'unknown',
        status: null,
        response: null,
      },
      push(m2, { status: 'duplicate', stamp: stampOf(envelope(2, 11, { title: 'B' })) }),
    ];
    expect(counts(run)).toEqual(CLEAN);
  });

  it('accepts a replayed answer for a mutation whose first answer was lost in a crash', () => {
    const run = cleanRun();
    const m2 = mutation('m2', 2, 'update', { title: 'B' });
    const answer = applied(envelope(2, 11, { title: 'B' }));
    run.pushes = [
      run.pushes[0],
      { ...push(m2, answer), outcome: 'unknown', status: null, response: null },
      // The resend, with the same Idempotency-Key, answered from the idempotency store.
      push(m2, answer, { replayed: true }),
    ];
    expect(counts(run)).toEqual(CLEAN);
  });

  it('counts a conflict the client never showed, answered `duplicate` on resend, as a lost answer', () => {
    const run = cleanRun();
    const m2 = mutation('m2', 2, 'update', { title: 'B' });
    const theirs = envelope(2, 11, { title: 'Theirs' });
    run.pushes = [
      run.pushes[0],
      push(m2, { status: 'conflict', code: 'field-conflict', fromVersion: 2, stamp: stampOf(theirs) }),
      push(m2, { status: 'duplicate', stamp: stampOf(theirs) }),
    ];
    run.envelopes = [run.envelopes[0], theirs];
    run.server = [theirs];
    run.incremental = new Map([[recordKey(theirs), theirs]]);
    run.devices = [{ ...run.devices[0], records: [view(theirs)] }];
    expect(counts(run)).toEqual({ ...CLEAN, lost: 1, lostAnswers: 1 });
  });

  it('counts pending entries as stuck and a differing device record as diverged', () => {
    const run = cleanRun();
    run.devices = [{ ...run.devices[0], pending: 2, records: [view(envelope(2, 11, { title: 'Other' }))] }];
    expect(counts(run)).toEqual({ ...CLEAN, stuck: 2, diverged: 1 });
  });

  it('counts a record the incremental reader missed as diverged (a feed gap)', () => {
    const run = cleanRun();
    run.incremental = new Map();
    expect(counts(run)).toEqual({ ...CLEAN, diverged: 1 });
  });

  it('counts a version reused with another seq as lost (an acknowledged change forgotten)', () => {
    const run = cleanRun();
    run.envelopes = [...run.envelopes, envelope(2, 15, { title: 'B' })];
    expect(counts(run).lost).toBeGreaterThanOrEqual(1);
  });
});
