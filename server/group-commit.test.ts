import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId, type PushResponse } from '../protocol/index.ts';
import type { CommitNotice } from './storage/store.ts';
import {
  mutation,
  noteCard,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from './test-support/test-server.ts';

/** Pushes straight to the store, all in one turn of the event loop: they arrive together. */
function pushAll(server: TestServer, users: TestUser[], seqs: number[][]) {
  return Promise.allSettled(
    users.map((user, index) =>
      server.store.push(
        user.id,
        {
          protocol: 1,
          clientId: user.clientId,
          mutations: seqs[index].map((seq) =>
            mutation(user, { seq, op: 'create', table: 'cards', fields: noteCard({ title: `${user.email} ${seq}` }) }),
          ),
        },
        { idempotency: { key: `key-${index}`, fingerprint: `print-${index}` } },
      ),
    ),
  );
}

async function cardTitles(user: TestUser): Promise<string[]> {
  const pull = await (await user.send('/api/sync/pull?cursor=0')).json();
  return (pull as { changes: { table: string; fields: { title?: string } }[] }).changes
    .filter((change) => change.table === 'cards')
    .map((change) => change.fields.title ?? '');
}

for (const groupCommit of [true, false]) {
  describe(`group commit ${groupCommit ? 'on' : 'off'}`, () => {
    let server: TestServer;
    let users: TestUser[];
    let notices: CommitNotice[];

    beforeEach(async () => {
      server = startTestServer({}, { groupCommit });
      users = [await signUp(server), await signUp(server), await signUp(server)];
      notices = [];
      server.store.onCommit((notice) => notices.push(notice));
    });
    afterEach(() => server.close());

    it(groupCommit ? 'commits pushes that arrive together once' : 'commits each push on its own', async () => {
      const settled = await pushAll(server, users, [[1, 2], [1], [1, 2, 3]]);
      expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      expect(notices).toHaveLength(groupCommit ? 1 : 3);
      expect(new Set(notices.flatMap((notice) => notice.userIds))).toEqual(new Set(users.map((user) => user.id)));
      const answers = settled.map((outcome) =>
        outcome.status === 'fulfilled' ? (JSON.parse(outcome.value.body) as PushResponse) : null,
      );
      // Each keeps its own answer.
      expect(answers.map((answer) => answer?.lastSeq)).toEqual([2, 1, 3]);
      expect(answers.map((answer) => answer?.results.length)).toEqual([2, 1, 3]);
    });

    it('undoes a refused push only, and keeps each push its own idempotent answer', async () => {
      // The middle push skips seq 2: refused whole, its first mutation included.
      const settled = await pushAll(server, users, [[1], [1, 3], [1]]);
      expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const refusal = settled[1].status === 'rejected' ? settled[1].reason : null;
      expect(refusal.problem.code).toBe('seq-gap');
      expect(await cardTitles(users[0])).toEqual([`${users[0].email} 1`]);
      expect(await cardTitles(users[1])).toEqual([]);
      expect(await cardTitles(users[2])).toEqual([`${users[2].email} 1`]);
      const again = await pushAll(server, users, [[1], [1, 2], [1]]);
      expect(again.map((outcome) => outcome.status === 'fulfilled' && outcome.value.replayed)).toEqual([
        true,
        false,
        true,
      ]);
      expect(await cardTitles(users[1])).toEqual([`${users[1].email} 1`, `${users[1].email} 2`]);
    });
  });
}

describe('group commit across the HTTP path', () => {
  let server: TestServer;
  afterEach(() => server.close());

  it('answers each of many concurrent pushes with its own results', async () => {
    server = startTestServer();
    const users = await Promise.all(Array.from({ length: 8 }, () => signUp(server)));
    const responses = await Promise.all(
      users.map((user) =>
        user.push([{ op: 'create', table: 'cards', recordId: newId(), fields: noteCard({ title: user.email }) }]),
      ),
    );
    for (const [index, response] of responses.entries()) {
      expect(response.results).toHaveLength(1);
      expect(response.lastSeq).toBe(1);
      expect(await cardTitles(users[index])).toEqual([users[index].email]);
    }
  });
});
