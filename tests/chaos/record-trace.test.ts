/** The trace of a failed run: which records the problems name, and their exchanges on the wire. */
import { describe, expect, it } from 'vitest';
import { type Mutation, PROTOCOL_VERSION, type Problem } from '../../protocol/index.ts';
import { recordsNamed, traceRecord } from './record-trace.ts';
import type { PushExchange, WireTap } from './wire-tap.ts';

const CARD = '01a2014a-099c-78e0-8ba8-cf8a25390501';
const OTHER = '01a2014a-0137-7963-af90-efcdcfd91c84';

function deleteOf(recordId: string, seq: number): Mutation {
  return {
    seq,
    id: `0000000${seq}-0000-7000-8000-000000000000`,
    table: 'cards',
    op: 'delete',
    recordId,
    workspaceId: OTHER,
    baseVersion: 0,
    clientTime: '',
  };
}

const gone: Problem = {
  type: '/docs/problems#not-found',
  title: 'Not found',
  status: 404,
  detail: 'gone',
  code: 'not-found',
};

function tapWith(pushes: PushExchange[]): WireTap {
  return { pushes, restWrites: [] } as unknown as WireTap;
}

describe('recordsNamed', () => {
  it('finds each table/id once, in the order the problems name them', () => {
    const problems = [
      `diverged: device-1 cards/${CARD}: not on the server (v0 deleted=true)`,
      `lost: collections/${OTHER} went back from version 3 to 2`,
      `diverged: device-2 cards/${CARD}: missing`,
    ];
    expect(recordsNamed(problems)).toEqual([`cards/${CARD}`, `collections/${OTHER}`]);
  });
});

describe('traceRecord', () => {
  it("lists the record's mutations with the answer each got, and nothing of other records", () => {
    const mine = deleteOf(CARD, 7);
    const push: PushExchange = {
      clientId: 'client-0001',
      mutations: [deleteOf(OTHER, 6), mine],
      idempotencyKey: 'client.6.7',
      outcome: 'answered',
      status: 200,
      replayed: false,
      response: {
        protocol: PROTOCOL_VERSION,
        lastSeq: 7,
        cursor: 9,
        results: [{ seq: 7, id: mine.id, status: 'rejected', error: gone }],
      },
    };
    const lines = traceRecord(tapWith([push]), `cards/${CARD}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('seq 7 delete');
    expect(lines[0]).toContain('"status":"rejected"');
  });
});
