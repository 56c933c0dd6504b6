import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../protocol/index.ts';
import { silentLogger } from './logger.ts';
import { runMaintenance, startMaintenance } from './maintenance.ts';
import type { Store } from './storage/store.ts';
import {
  mutation,
  noteCard,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from './test-support/test-server.ts';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe('maintenance', () => {
  let server: TestServer;
  let user: TestUser;
  let clock: number;

  beforeEach(async () => {
    clock = Date.parse('2026-03-01T00:00:00Z');
    server = startTestServer({}, { now: () => clock });
    user = await signUp(server);
  });
  afterEach(() => server.close());

  it('purges tombstones past the retention and keeps younger ones and live records', async () => {
    const [old, young, live] = [newId(), newId(), newId()];
    await user.push([
      { op: 'create', table: 'cards', recordId: old, fields: noteCard() },
      { op: 'create', table: 'cards', recordId: young, fields: noteCard() },
      { op: 'create', table: 'cards', recordId: live, fields: noteCard() },
      { op: 'delete', table: 'cards', recordId: old, baseVersion: 1 },
    ]);
    clock += 20 * DAY;
    await user.push([{ op: 'delete', table: 'cards', recordId: young, baseVersion: 1 }]);
    clock += 11 * DAY;
    await runMaintenance(server.store, server.config, silentLogger, clock);
    const pull = await (await user.send('/api/sync/pull?cursor=0')).json();
    const ids = (pull as { changes: { id: string }[] }).changes.map((change) => change.id);
    expect(ids).not.toContain(old);
    expect(ids).toContain(young);
    expect(ids).toContain(live);
  });

  it('forgets idempotent responses after 72 hours, not before', async () => {
    const body = {
      protocol: 1,
      clientId: user.clientId,
      mutations: [mutation(user, { op: 'create', table: 'cards', fields: noteCard() })],
    };
    const send = () => user.send('/api/sync/push', { method: 'POST', headers: { 'idempotency-key': 'kept' }, body });
    await send();
    clock += 71 * HOUR;
    await runMaintenance(server.store, server.config, silentLogger, clock);
    expect((await send()).headers.get('idempotent-replayed')).toBe('true');
    clock += 2 * HOUR;
    await runMaintenance(server.store, server.config, silentLogger, clock);
    const fresh = await send();
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    // Executed again, it is still exactly-once: the client seq makes it a duplicate.
    expect(((await fresh.json()) as { results: { status: string }[] }).results[0].status).toBe('duplicate');
  });
});

describe('startMaintenance', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at once and then every interval until stopped, and survives a failing run', async () => {
    const purge = vi.fn().mockRejectedValueOnce(new Error('busy')).mockResolvedValue(0);
    const store = {
      claimMaintenance: vi.fn().mockResolvedValue(true),
      purgeTombstones: purge,
      reapIdempotency: vi.fn().mockResolvedValue(0),
      reapOutcomes: vi.fn().mockResolvedValue(0),
    } as unknown as Store;
    const config = { tombstoneRetentionMs: DAY, idempotencyRetentionMs: DAY, purgeIntervalMs: 1000 };
    const stop = startMaintenance(store, config as never, silentLogger);
    await vi.advanceTimersByTimeAsync(0);
    expect(purge).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(purge).toHaveBeenCalledTimes(3);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(purge).toHaveBeenCalledTimes(3);
  });
});
