import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../protocol/index.ts';
import { createTestDatabase, dropTestDatabase } from '../../test-support/pg-database.ts';
import { noteCard } from '../../test-support/test-server.ts';
import { openPostgresStore, type PostgresStore } from '../postgres-store.ts';
import type { CommitNotice } from '../store.ts';
import { NOTIFY_PAUSE_AT, NOTIFY_WARN_AT, type NotifyQueueLevel, NotifyQueueWatch } from './notify-queue.ts';

describe('NotifyQueueWatch', () => {
  function watched(usages: (number | Error)[]) {
    const reports: [NotifyQueueLevel, number][] = [];
    let resumes = 0;
    const watch = new NotifyQueueWatch({
      readUsage: async () => {
        const next = usages.shift()!;
        if (next instanceof Error) throw next;
        return next;
      },
      report: (level, usage) => reports.push([level, usage]),
      resumed: async () => {
        resumes += 1;
      },
    });
    return { watch, reports, resumes: () => resumes };
  }

  it('reports each change of level, pauses notifying near full, and pokes everyone once it resumes', async () => {
    const { watch, reports, resumes } = watched([0, NOTIFY_WARN_AT, 0.6, NOTIFY_PAUSE_AT, 0.95, 0.4, 0.1]);
    const seen: boolean[] = [];
    for (let check = 0; check < 7; check++) {
      await watch.check();
      seen.push(watch.notifies());
    }
    expect(seen).toEqual([true, true, true, false, false, true, true]);
    expect(reports).toEqual([
      ['warn', NOTIFY_WARN_AT],
      ['paused', NOTIFY_PAUSE_AT],
      ['ok', 0.4],
    ]);
    expect(resumes()).toBe(1);
  });

  it('changes nothing when the queue cannot be read', async () => {
    const { watch, reports } = watched([0.95, new Error('connection lost'), 0.1]);
    await watch.check();
    await watch.check();
    expect([watch.notifies(), reports.length]).toEqual([false, 1]);
    await watch.check();
    expect(watch.notifies()).toBe(true);
  });
});

describe('commits across processes while the NOTIFY queue is nearly full', () => {
  let url: string;
  let writer: PostgresStore;
  let reader: PostgresStore;
  let usage = 0;
  const heard: CommitNotice[] = [];

  beforeAll(async () => {
    url = await createTestDatabase();
    writer = await openPostgresStore(url, { poolSize: 2, readNotifyQueueUsage: async () => usage });
    reader = await openPostgresStore(url, { poolSize: 2 });
    reader.onCommit((notice) => heard.push(notice));
  });

  afterAll(async () => {
    await Promise.all([writer, reader].filter(Boolean).map((store) => store.close()));
    if (url) await dropTestDatabase(url);
  });

  const createNote = async (userId: string, workspaceId: string) => {
    const mutation = {
      id: newId(),
      seq: 1,
      op: 'create' as const,
      table: 'cards',
      recordId: newId(),
      workspaceId,
      baseVersion: 0,
      fields: noteCard(),
      clientTime: new Date().toISOString(),
    };
    return writer.push(userId, { protocol: 1, clientId: newId(), mutations: [mutation] });
  };
  const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Waits (at most 10 s) until a notice was heard. */
  const heardOne = async () => {
    for (let waited = 0; heard.length === 0 && waited < 10_000; waited += 20) await settle(20);
    return heard;
  };

  it('reads the real queue: empty, so commits notify', async () => {
    await reader.notifyQueue.check();
    expect(reader.notifyQueue.notifies()).toBe(true);
  });

  it('commits without notifying while paused, then pokes every stream with the latest cursor', async () => {
    const account = await writer.createUser({ email: 'queue@example.com', passwordHash: 'h', workspaceName: 'Home' });
    const { id: userId } = account.user;
    const workspaceId = account.workspaces[0].id;
    await heardOne();
    heard.length = 0;

    usage = 0.95;
    await writer.notifyQueue.check();
    expect((await createNote(userId, workspaceId)).status).toBe(200);
    await settle();
    expect(heard).toEqual([]);

    usage = 0.1;
    await writer.notifyQueue.check();
    expect(await heardOne()).toEqual([{ userIds: [], everyone: true, cursor: await writer.latestSeq() }]);

    heard.length = 0;
    expect((await createNote(userId, workspaceId)).status).toBe(200);
    expect(await heardOne()).toEqual([{ userIds: [userId], cursor: await writer.latestSeq() }]);
  });
});
