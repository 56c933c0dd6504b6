/**
 * One chaos device: a browser context signed in to the shared account, with several tabs,
 * committing planned operations through `window.burrow` and recording them in the ledger.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { TableName } from '../../protocol/index.ts';
import type { BurrowClient } from '../../src/api/client.ts';
import type { RecordView } from '../../src/store/types.ts';
import { inPage, openApp, type TestBrowser } from '../support/browser.ts';
import type { CommittedOp, Ledger } from './ledger.ts';
import type { PlannedOp } from './op-planner.ts';
import type { Prng } from './prng.ts';

/** What the page reports back for one planned op. */
export type PageOpResult =
  | { status: 'committed'; kind: PlannedOp['kind']; recordId: string; mutationId?: string }
  | { status: 'skipped'; reason: string };

/**
 * Runs one planned op in the page. Sent as source text: it must not use anything from this
 * module's scope (see `inPage`), and declares no named inner functions (bundlers would wrap them).
 */
export async function executeInPage(burrow: BurrowClient, op: PlannedOp): Promise<PageOpResult> {
  try {
    if (op.kind === 'create') {
      const view = await burrow.create(op.table, op.fields, { workspaceId: op.workspaceId });
      return { status: 'committed', kind: 'create', recordId: view.id };
    }
    const current = await burrow.get(op.table, op.recordId);
    if (!current) return { status: 'skipped', reason: 'not here yet (or purged)' };
    if (op.kind === 'purge') {
      await burrow.purge(op.table, op.recordId);
      // Gone from the outbox when nothing of the record had been sent (nothing goes out at all).
      const purges = (await burrow.pendingMutations()).filter(
        (entry) => entry.recordId === op.recordId && entry.op === 'purge',
      );
      const mutationId = purges.length > 0 ? purges[purges.length - 1].id : undefined;
      return { status: 'committed', kind: 'purge', recordId: op.recordId, mutationId };
    }
    if (op.kind === 'update') {
      if (current.deleted) return { status: 'skipped', reason: 'deleted here' };
      await burrow.update(op.table, op.recordId, op.fields);
      return { status: 'committed', kind: 'update', recordId: op.recordId };
    }
    const kind = current.deleted ? 'restore' : 'delete';
    if (kind === 'delete') await burrow.remove(op.table, op.recordId);
    else await burrow.restore(op.table, op.recordId);
    // The entry's id ties this op to what the server executed; it may already be gone (acknowledged).
    const mine = (await burrow.pendingMutations()).filter(
      (entry) => entry.recordId === op.recordId && entry.op === kind,
    );
    const mutationId = mine.length > 0 ? mine[mine.length - 1].id : undefined;
    return { status: 'committed', kind, recordId: op.recordId, mutationId };
  } catch (error) {
    return { status: 'skipped', reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** What a device reads at the end of the run. */
export interface DeviceSnapshot {
  pending: number;
  records: RecordView[];
}

export class BrowserDevice {
  offline = false;

  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly origin: string,
    readonly tabs: Page[],
  ) {}

  /** Opens a new device (context), signs it in to the account, and opens `tabCount` tabs. */
  static async open(
    browser: TestBrowser,
    name: string,
    origin: string,
    account: { email: string; password: string },
    tabCount: number,
  ): Promise<BrowserDevice> {
    // The app's CSP forbids eval; Playwright's string evaluation (inPage, waits) needs it bypassed.
    const context = await browser.browser.newContext({ bypassCSP: true });
    const first = await openApp(context, origin);
    await inPage(first, (burrow, credentials) => burrow.signIn(credentials.email, credentials.password), account);
    const device = new BrowserDevice(name, context, origin, [first]);
    while (device.tabs.length < tabCount) device.tabs.push(await openApp(context, origin));
    return device;
  }

  pickTab(rng: Prng): Page {
    return rng.pick(this.tabs);
  }

  /** Runs `op` in `tab` and records it when it committed. */
  async run(tab: Page, op: PlannedOp, ledger: Ledger, via?: string): Promise<CommittedOp | null> {
    const result = await inPage(tab, executeInPage, op);
    return this.record(op, result, ledger, via);
  }

  record(op: PlannedOp, result: PageOpResult, ledger: Ledger, via?: string): CommittedOp | null {
    if (result.status === 'skipped') {
      ledger.refuse(`${this.name}: ${result.reason}`);
      return null;
    }
    if (op.kind === 'create') {
      ledger.remember({
        table: op.table,
        id: result.recordId,
        workspaceId: op.table === 'workspaces' ? result.recordId : op.workspaceId,
        url: typeof op.fields.url === 'string' ? op.fields.url : undefined,
      });
    }
    return ledger.commit({
      actor: this.name,
      kind: result.kind,
      table: op.table,
      recordId: result.recordId,
      tokens: 'tokens' in op ? op.tokens : {},
      ...(result.mutationId ? { mutationId: result.mutationId } : {}),
      ...(via ? { via } : {}),
    });
  }

  /**
   * Starts `op` in a tab and closes the tab a moment later, in the middle of the commit. Then
   * decides from a fresh tab whether the commit happened: the value is visible there (pending
   * edits always are), or the tap already saw it go out. Creates and updates only.
   */
  async runAndCloseTab(
    rng: Prng,
    op: Extract<PlannedOp, { kind: 'create' | 'update' }>,
    ledger: Ledger,
    sawToken: (token: string) => boolean,
  ): Promise<void> {
    const tab = this.pickTab(rng);
    const running = inPage(tab, executeInPage, op).catch(() => null);
    await sleep(rng.int(0, 12));
    this.tabs.splice(this.tabs.indexOf(tab), 1);
    await tab.close();
    const result = await running;
    const fresh = await openApp(this.context, this.origin);
    this.tabs.push(fresh);
    if (result) {
      this.record(op, result, ledger, 'tab-closed');
      return;
    }
    const [field, token] = Object.entries(op.tokens)[0];
    const found = await inPage(fresh, findByToken, { table: op.table, field, token });
    if (found === null && !sawToken(token)) {
      ledger.refuse(`${this.name}: tab closed before the commit`);
      return;
    }
    const recordId = op.kind === 'update' ? op.recordId : found;
    if (recordId === null) throw new Error(`token ${token} went out but no local record of ${op.table} carries it`);
    this.record(op, { status: 'committed', kind: op.kind, recordId }, ledger, 'tab-closed');
  }

  /** Runs a few ops in one tab and reloads it at once, while the worker is still draining them. */
  async burstThenReload(rng: Prng, ops: PlannedOp[], ledger: Ledger): Promise<void> {
    const tab = this.pickTab(rng);
    for (const op of ops) await this.run(tab, op, ledger, 'burst-reload');
    await tab.reload();
    await waitForApp(tab);
  }

  async setOffline(offline: boolean): Promise<void> {
    await this.context.setOffline(offline);
    this.offline = offline;
  }

  /** Ensures at least one tab is open (after the faults) and returns the first. */
  async mainTab(): Promise<Page> {
    if (this.tabs.length === 0) this.tabs.push(await openApp(this.context, this.origin));
    return this.tabs[0];
  }

  async snapshot(tables: readonly TableName[]): Promise<DeviceSnapshot> {
    const tab = await this.mainTab();
    return inPage(tab, readEverything, [...tables]);
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

/** In the page: the id of the record of `table` whose `field` holds `token`, or null. */
async function findByToken(
  burrow: BurrowClient,
  query: { table: TableName; field: string; token: string },
): Promise<string | null> {
  const records = await burrow.list(query.table, { includeDeleted: true });
  const match = records.find((record) => record.fields[query.field] === query.token);
  return match ? match.id : null;
}

/** In the page: pending count and every record of every table. */
async function readEverything(burrow: BurrowClient, tables: TableName[]): Promise<DeviceSnapshot> {
  const pending = (await burrow.pendingMutations()).length;
  const lists = await Promise.all(tables.map((table) => burrow.list(table, { includeDeleted: true })));
  return { pending, records: lists.flat() };
}

/** Waits for a (re)loaded tab to be controlled by the worker with `window.burrow` ready. */
export async function waitForApp(page: Page): Promise<void> {
  await page.waitForFunction('navigator.serviceWorker.controller !== null && "burrow" in window', undefined, {
    timeout: 30_000,
    polling: 50,
  });
  await page.evaluate('window.burrow.ready.then(() => true)');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
