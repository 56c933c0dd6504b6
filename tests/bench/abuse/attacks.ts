/**
 * The attacks of issue 22, each run by one account (or none) for one phase of the abuse run,
 * bounded in count. Each returns the figure that shows whether the server held.
 */
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { LIMITS, type Mutation, newId } from '../../../protocol/index.ts';
import type { PhaseSlot } from './honest-load.ts';
import { ATTACKER_ADDRESSES, openSocket, rawRequest } from './raw-http.ts';

/** Counts of the attacks (the issue's, or scaled down where said). */
export interface AttackScale {
  /** No-op updates of the large note in one push, answered with the note each (issue: 1,000). */
  amplificationMutations: number;
  /** Unread replays of that push (issue: 10). */
  amplificationReplays: number;
  chainDepth: number;
  streams: number;
  idleSockets: number;
  slowBodies: number;
  loginRace: number;
  signupConcurrency: number;
  /** Notes of 400 KB pulled with limit 5000 (issue: 1,400). */
  largeNotes: number;
}

export interface Attacker {
  baseUrl: string;
  email: string;
  cookie: string;
  workspaceId: string;
  /** The 400 KB note the amplification replays, created by `bigNoteClient` at seq 1. */
  bigNoteId: string;
  bigNoteClient: string;
}

/** What an attack reports: one figure, in words for the table. */
export interface AttackFigure {
  name: string;
  value: number;
  unit: string;
}

export interface Attack {
  name: string;
  /** Runs until `until` (the phase's end), or as long as its figure needs (bounded). */
  run(attacker: Attacker, slot: PhaseSlot, until: Promise<void>): Promise<AttackFigure>;
}

/** 200,000 two-byte characters: a card's largest content, 400 KB of UTF-8. */
export const LARGE_CONTENT = 'é'.repeat(200_000);

function noteFields(content: string) {
  return { kind: 'note', title: 'large', content, tags: [], collectionIds: [], pinned: false };
}

function pushBody(clientId: string, mutations: Mutation[]): string {
  return JSON.stringify({ protocol: 1, clientId, mutations });
}

function pushHeaders(attacker: Attacker): Record<string, string> {
  return { cookie: attacker.cookie, 'content-type': 'application/json', 'idempotency-key': newId() };
}

/** A 5xx to the attacker; 503 `too-many-connections` is the per-address cap refusing on purpose. */
function count5xx(slot: PhaseSlot, status: number): void {
  if (status >= 500 && status !== 503) slot.current.serverErrors += 1;
}

/** Creates `count` notes of 400 KB in the attacker's workspace, two per push (the 1 MiB limit). */
export async function seedLargeNotes(attacker: Attacker, count: number): Promise<void> {
  const clientId = newId();
  let seq = 1;
  for (let made = 0; made < count; made += 2) {
    const mutations = Array.from({ length: Math.min(2, count - made) }, () => create(seq++, attacker, 'cards'));
    const answer = await rawRequest(attacker.baseUrl, '/api/sync/push', {
      method: 'POST',
      headers: pushHeaders(attacker),
      body: pushBody(clientId, mutations),
    });
    if (answer.status !== 200) throw new Error(`seeding large notes answered ${answer.status}: ${answer.text}`);
  }
}

function create(seq: number, attacker: Attacker, table: 'cards', recordId = newId()): Mutation {
  return {
    seq,
    id: newId(),
    table,
    op: 'create',
    recordId,
    workspaceId: attacker.workspaceId,
    baseVersion: 0,
    fields: noteFields(LARGE_CONTENT),
    clientTime: new Date().toISOString(),
  };
}

/** The note the amplification replays: seq 1 of its own client. */
export async function createBigNote(attacker: Omit<Attacker, 'bigNoteId' | 'bigNoteClient'>): Promise<Attacker> {
  const bigNoteClient = newId();
  const bigNoteId = newId();
  const full = { ...attacker, bigNoteId, bigNoteClient };
  const answer = await rawRequest(attacker.baseUrl, '/api/sync/push', {
    method: 'POST',
    headers: pushHeaders(full),
    body: pushBody(bigNoteClient, [create(1, full, 'cards', bigNoteId)]),
  });
  if (answer.status !== 200) throw new Error(`the large note answered ${answer.status}: ${answer.text}`);
  return full;
}

export function attacks(scale: AttackScale): Attack[] {
  // Connection attacks first, the ones that grow the heap last: RSS is the process's, and
  // memory a phase took is not all given back before the next.
  return [
    {
      name: 'stream flood',
      async run(attacker, slot, until) {
        const open = new Set<() => void>();
        let refused = 0;
        await Promise.all(
          Array.from({ length: scale.streams }, (_, i) =>
            openStream(attacker, ATTACKER_ADDRESSES[i % ATTACKER_ADDRESSES.length], open).then((status) => {
              count5xx(slot, status);
              if (status !== 200) refused += 1;
            }),
          ),
        );
        await until;
        const held = open.size;
        for (const close of open) close();
        return { name: `streams held open of ${scale.streams} (${refused} refused)`, value: held, unit: 'streams' };
      },
    },
    {
      name: 'idle sockets',
      async run(attacker) {
        const sockets: Socket[] = [];
        for (let i = 0; i < scale.idleSockets; i += 100) {
          const batch = await Promise.all(
            Array.from({ length: Math.min(100, scale.idleSockets - i) }, (_, n) =>
              openSocket(attacker.baseUrl, ATTACKER_ADDRESSES[(i + n) % ATTACKER_ADDRESSES.length]),
            ),
          );
          for (const socket of batch) if (socket) sockets.push(socket);
        }
        const longest = await longestLife(sockets, IDLE_CAP_MS);
        return {
          name: `time until the last of ${scale.idleSockets} idle sockets was closed (cap 30 s)`,
          value: longest,
          unit: 'ms',
        };
      },
    },
    {
      name: 'slow bodies',
      async run(attacker) {
        const sockets: Socket[] = [];
        let timedOut = 0;
        for (let i = 0; i < scale.slowBodies; i++) {
          const socket = await openSocket(attacker.baseUrl, ATTACKER_ADDRESSES[i % ATTACKER_ADDRESSES.length]);
          if (!socket) continue;
          socket.on('data', (chunk: Buffer) => {
            if (chunk.toString('latin1').startsWith('HTTP/1.1 408')) timedOut += 1;
          });
          socket.write(
            'POST /api/auth/login HTTP/1.1\r\nHost: burrow\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
          );
          sockets.push(socket);
        }
        // One byte per connection every second: 100 bytes would take 100 s.
        const drip = setInterval(() => {
          for (const socket of sockets) if (socket.writable) socket.write(' ');
        }, 1000);
        const longest = await longestLife(sockets, SLOW_CAP_MS);
        clearInterval(drip);
        return {
          name: `time until the last of ${sockets.length} login bodies at 1 byte/s was cut (${timedOut} answered 408; cap 40 s)`,
          value: longest,
          unit: 'ms',
        };
      },
    },
    {
      name: 'login race',
      async run(attacker, slot, until) {
        let running = true;
        void until.then(() => {
          running = false;
        });
        let firstWaveChecked = -1;
        while (running) {
          const answers = await Promise.all(
            Array.from({ length: scale.loginRace }, () =>
              rawRequest(attacker.baseUrl, '/api/auth/login', {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ email: attacker.email, password: `wrong ${newId()}` }),
                localAddress: ATTACKER_ADDRESSES[0],
              }),
            ),
          );
          for (const answer of answers) count5xx(slot, answer.status);
          if (firstWaveChecked < 0) firstWaveChecked = answers.filter((answer) => answer.status === 401).length;
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
        return {
          name: `wrong passwords checked of ${scale.loginRace} at once (limit 10)`,
          value: firstWaveChecked,
          unit: 'logins',
        };
      },
    },
    {
      name: 'signup flood',
      async run(attacker, slot, until) {
        let running = true;
        void until.then(() => {
          running = false;
        });
        let created = 0;
        await Promise.all(
          Array.from({ length: scale.signupConcurrency }, async (_, lane) => {
            while (running) {
              const answer = await rawRequest(attacker.baseUrl, '/api/auth/signup', {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ email: `flood-${newId()}@example.test`, password: 'flood password 1' }),
                localAddress: ATTACKER_ADDRESSES[lane % ATTACKER_ADDRESSES.length],
              });
              count5xx(slot, answer.status);
              if (answer.status === 201) created += 1;
              // A refusal (429) is followed at once by the next attempt: the flood does not wait.
            }
          }),
        );
        return { name: 'accounts created by the flood', value: created, unit: 'accounts' };
      },
    },
    {
      name: 'deep collection chains',
      async run(attacker, slot, until) {
        let running = true;
        void until.then(() => {
          running = false;
        });
        let slowest = 0;
        while (running) {
          // One chain, in pushes as large as the protocol takes, each continuing the last.
          const clientId = newId();
          let parentId: string | undefined;
          for (let from = 0; from < scale.chainDepth && running; from += LIMITS.maxMutationsPerPush) {
            const mutations: Mutation[] = [];
            for (let depth = from; depth < Math.min(scale.chainDepth, from + LIMITS.maxMutationsPerPush); depth++) {
              const recordId = newId();
              mutations.push({
                seq: depth + 1,
                id: newId(),
                table: 'collections',
                op: 'create',
                recordId,
                workspaceId: attacker.workspaceId,
                baseVersion: 0,
                fields: { name: `level ${depth}`, position: depth, ...(parentId ? { parentId } : {}) },
                clientTime: new Date().toISOString(),
              });
              parentId = recordId;
            }
            const started = performance.now();
            const answer = await rawRequest(attacker.baseUrl, '/api/sync/push', {
              method: 'POST',
              headers: pushHeaders(attacker),
              body: pushBody(clientId, mutations),
            });
            slowest = Math.max(slowest, performance.now() - started);
            count5xx(slot, answer.status);
          }
        }
        const pushSize = Math.min(scale.chainDepth, LIMITS.maxMutationsPerPush);
        return {
          name: `slowest push of a ${scale.chainDepth}-deep chain (pushes of ${pushSize})`,
          value: slowest,
          unit: 'ms',
        };
      },
    },
    {
      name: 'large pages',
      async run(attacker, slot, until) {
        let running = true;
        void until.then(() => {
          running = false;
        });
        let largest = 0;
        let failed = 0;
        await Promise.all(
          [0, 1].map(async () => {
            while (running) {
              const page = await rawRequest(attacker.baseUrl, '/api/sync/pull?cursor=0&limit=5000', {
                headers: { cookie: attacker.cookie, 'accept-encoding': 'identity' },
              });
              count5xx(slot, page.status);
              if (page.status !== 200) failed += 1;
              largest = Math.max(largest, page.bytes);
            }
          }),
        );
        return {
          name: `largest page of ${scale.largeNotes} notes of 400 KB (${failed} pulls failed)`,
          value: largest,
          unit: 'bytes',
        };
      },
    },
    {
      name: 'amplification',
      async run(attacker, slot, until) {
        // Updates that change nothing: cheap to apply, each answered with the whole note.
        const mutations: Mutation[] = Array.from({ length: scale.amplificationMutations }, (_, i) => ({
          seq: i + 2,
          id: newId(),
          table: 'cards',
          op: 'update',
          recordId: attacker.bigNoteId,
          workspaceId: attacker.workspaceId,
          baseVersion: 1,
          fields: { pinned: false },
          clientTime: new Date().toISOString(),
        }));
        const body = pushBody(attacker.bigNoteClient, mutations);
        const first = await rawRequest(attacker.baseUrl, '/api/sync/push', {
          method: 'POST',
          headers: pushHeaders(attacker),
          body,
        });
        count5xx(slot, first.status);
        const unread = [];
        for (let i = 0; i < scale.amplificationReplays; i++) {
          const replay = await rawRequest(attacker.baseUrl, '/api/sync/push', {
            method: 'POST',
            headers: pushHeaders(attacker),
            body,
            unread: true,
          });
          count5xx(slot, replay.status);
          unread.push(replay);
        }
        await until;
        for (const replay of unread) replay.destroy();
        return { name: `answer to a ${Math.round(body.length / 1024)} KB push`, value: first.bytes, unit: 'bytes' };
      },
    },
  ];
}

const IDLE_CAP_MS = 30_000;
const SLOW_CAP_MS = 40_000;

/**
 * Waits until the server has closed every socket, or `capMs` has passed; returns how long
 * after the last was opened the last one closed (the cap when some never did), then closes
 * what is left.
 */
async function longestLife(sockets: Socket[], capMs: number): Promise<number> {
  const opened = performance.now();
  let longest = 0;
  const closed = sockets.map(
    (socket) =>
      new Promise<void>((resolve) => {
        const done = () => {
          longest = Math.max(longest, performance.now() - opened);
          resolve();
        };
        if (socket.destroyed) done();
        else socket.once('close', done);
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<'cap'>((resolve) => {
    timer = setTimeout(() => resolve('cap'), capMs);
  });
  const outcome = await Promise.race([Promise.all(closed), cap]);
  clearTimeout(timer);
  for (const socket of sockets) socket.destroy();
  return outcome === 'cap' ? capMs : longest;
}

/** Opens an event stream from `localAddress`; resolves with its status, keeping it in `open` until the server ends it. */
function openStream(attacker: Attacker, localAddress: string, open: Set<() => void>): Promise<number> {
  const url = new URL('/api/sync/events', attacker.baseUrl);
  return new Promise((resolve) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { cookie: attacker.cookie },
        localAddress,
        agent: false,
      },
      (response) => {
        const close = () => request.destroy();
        if (response.statusCode === 200) {
          open.add(close);
          response.once('close', () => open.delete(close));
          response.resume();
        } else response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', () => resolve(0));
    request.end();
  });
}
