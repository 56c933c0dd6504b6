/** The rig of the engine's browser tests: a real server behind the fault proxy, Chromium, and accounts on both sides. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { type Envelope, newId } from '../../protocol/index.ts';
import { ApiClient } from '../support/api-client.ts';
import {
  ensureAppBuilt,
  inPage,
  launchBrowser,
  openApp,
  type ScriptablePage,
  type TestBrowser,
  waitFor,
} from '../support/browser.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';

export const PASSWORD = 'burrow-test-password';

/** A server, the proxy every page goes through, and one Chromium. */
export interface EngineRig {
  server: ServerProcess;
  proxy: FaultProxy;
  chromium: TestBrowser;
  /** The origin pages open: the proxy's. */
  origin: string;
  close(): Promise<void>;
}

/** What the server-side helpers need of a rig (Chromium's or Firefox's). */
export interface ServerSide {
  server: ServerProcess;
}

/** One signed-in device: its browser context (kept for Background Sync) and an app page. */
export interface Device {
  context: BrowserContext;
  page: Page;
  email: string;
  workspaceId: string;
}

/** Starts the rig; `env` goes to the server (retention and purge knobs). */
export async function startRig(env: Record<string, string> = {}): Promise<EngineRig> {
  ensureAppBuilt();
  const server = await startServer({ env });
  const proxy = await startFaultProxy(server.url);
  const chromium = await launchBrowser();
  return {
    server,
    proxy,
    chromium,
    origin: proxy.url,
    async close() {
      await chromium.close();
      await proxy.close();
      await server.stop();
    },
  };
}

/** A fresh email for a fresh account. */
export function uniqueEmail(label: string): string {
  return `${label}-${newId().slice(-12)}@example.test`;
}

/** A new device (context) with the app open, signed up as a new account (or signed in as `email`). */
export async function openDevice(rig: EngineRig, account: { signUp: string } | { signIn: string }): Promise<Device> {
  const context = await rig.chromium.newDevice();
  const page = await openApp(context, rig.origin);
  const email = 'signUp' in account ? account.signUp : account.signIn;
  if ('signUp' in account) {
    await inPage(page, (burrow, arg) => burrow.signUp(arg.email, arg.password).then(() => null), {
      email,
      password: PASSWORD,
    });
  } else {
    await inPage(page, (burrow, arg) => burrow.signIn(arg.email, arg.password).then(() => null), {
      email,
      password: PASSWORD,
    });
  }
  const workspaceId = await waitFor(() => inPage(page, async (burrow) => (await burrow.workspaces())[0]?.id ?? null), {
    message: `the default workspace of ${email} on the device`,
  });
  return { context, page, email, workspaceId };
}

const serverSessions = new Map<string, ApiClient>();

/** A Node client signed in as `email`, straight to the server (not through the proxy); one session per account. */
export async function serverClient(rig: ServerSide, email: string): Promise<ApiClient> {
  const known = serverSessions.get(`${rig.server.url} ${email}`);
  if (known) return known;
  const client = new ApiClient(rig.server.url);
  const login = await client.signIn(email, PASSWORD);
  if (login.status !== 200) throw new Error(`login of ${email} answered ${login.status}`);
  serverSessions.set(`${rig.server.url} ${email}`, client);
  return client;
}

/** The server's view of an account's live cards. */
export async function serverCards(rig: ServerSide, email: string): Promise<Envelope[]> {
  const client = await serverClient(rig, email);
  const { changes } = await client.pullAll(0);
  return changes.filter((change) => change.table === 'cards' && !change.deleted);
}

/** Waits until the server holds `count` live cards for `email` and returns them. */
export function waitForServerCards(
  rig: ServerSide,
  email: string,
  count: number,
  timeoutMs = 60_000,
): Promise<Envelope[]> {
  let last = -1;
  return waitFor(
    async () => {
      const cards = await serverCards(rig, email);
      last = cards.length;
      return cards.length >= count ? cards : null;
    },
    { timeoutMs, intervalMs: 250, message: () => `${count} cards of ${email} on the server (last count ${last})` },
  );
}

/** A note card's fields with the given title. */
export function note(title: string): Record<string, unknown> {
  return { kind: 'note', title, content: `content of ${title}`, tags: [], collectionIds: [], pinned: false };
}

/** Counts of what an account's outbox still holds on a page: pending, failed, conflicts. */
export function outboxState(page: ScriptablePage): Promise<{ pending: number; failed: number; conflicts: number }> {
  return inPage(page, async (burrow) => ({
    pending: (await burrow.pendingMutations()).length,
    failed: (await burrow.failed()).length,
    conflicts: (await burrow.conflicts()).length,
  }));
}

/** Groups values by a key and returns the keys seen more than once. */
export function duplicatesBy<T>(values: T[], key: (value: T) => string): string[] {
  const seen = new Map<string, number>();
  for (const value of values) seen.set(key(value), (seen.get(key(value)) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([name]) => name);
}

/** `count` titles `${prefix} ${i}`, each expected at `version`. */
export function titled(prefix: string, count: number, version: number): Map<string, number> {
  return new Map(Array.from({ length: count }, (_, i) => [`${prefix} ${i}`, version]));
}

/** An account's live cards in the server's records (the REST list, every page). */
async function restCards(rig: ServerSide, email: string): Promise<Envelope[]> {
  const client = await serverClient(rig, email);
  const cards: Envelope[] = [];
  let cursor = 0;
  for (;;) {
    const page = await client.list('cards', { cursor: String(cursor), limit: '500' });
    if (page.status !== 200) throw new Error(`list of cards answered ${page.status}`);
    cards.push(...page.body.items);
    cursor = page.body.cursor;
    if (!page.body.hasMore) return cards;
  }
}

/**
 * Exactly-once on the server's side: its change feed (a pull from 0) and its records (the REST
 * list) each hold every expected title once, at the version its commits imply (a mutation
 * applied twice would raise it), and no other card.
 */
export async function expectExactlyOnceOnServer(
  rig: ServerSide,
  email: string,
  expected: Map<string, number>,
): Promise<void> {
  for (const cards of [await serverCards(rig, email), await restCards(rig, email)]) {
    expect(duplicatesBy(cards, (card) => String(card.fields.title))).toEqual([]);
    expect(new Map(cards.map((card) => [String(card.fields.title), card.version]))).toEqual(expected);
  }
}

/** Creates `count` note cards titled `${prefix} ${i}` from the page, one commit each; returns their ids. */
export function createNotes(
  page: ScriptablePage,
  workspaceId: string,
  prefix: string,
  count: number,
): Promise<string[]> {
  return inPage(
    page,
    async (burrow, arg) => {
      const ids: string[] = [];
      for (let i = 0; i < arg.count; i++) {
        const fields = {
          kind: 'note',
          title: `${arg.prefix} ${i}`,
          content: '',
          tags: [],
          collectionIds: [],
          pinned: false,
        };
        ids.push((await burrow.create('cards', fields, { workspaceId: arg.workspaceId })).id);
      }
      return ids;
    },
    { workspaceId, prefix, count },
  );
}

/** Retitles each card to `${prefix} ${i}`, one commit each. */
export function retitleNotes(page: ScriptablePage, ids: string[], prefix: string): Promise<void> {
  return inPage(
    page,
    async (burrow, arg) => {
      for (let i = 0; i < arg.ids.length; i++)
        await burrow.update('cards', arg.ids[i], { title: `${arg.prefix} ${i}` });
    },
    { ids, prefix },
  );
}

/**
 * The last mutation seq the server applied from each of an account's clients (its own SQLite
 * file, read-only): with the outbox delivered, the seqs were gap-free when it equals the number
 * of mutations the client committed.
 */
export function serverClientSeqs(rig: ServerSide, email: string): number[] {
  const db = new Database(join(rig.server.dataDir, 'burrow.sqlite'), { readonly: true });
  try {
    const rows = db
      .prepare<[string], { last_seq: number }>(
        'SELECT c.last_seq FROM clients c JOIN users u ON u.id = c.user_id WHERE u.email = ? ORDER BY c.created_at',
      )
      .all(email);
    return rows.map((row) => row.last_seq);
  } finally {
    db.close();
  }
}
