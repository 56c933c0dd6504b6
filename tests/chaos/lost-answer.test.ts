/**
 * Regression test of a lost write the chaos run found: when the answer to a push is lost after
 * the server committed it (a dropped response, a crash), and the client resends the mutation
 * in a batch with a different range (a new edit joined the outbox meanwhile, so the
 * Idempotency-Key `<clientId>.<first>.<last>` differs), the server answers `duplicate` for it.
 * Taking `duplicate` as success dropped a `rejected` mutation from the failed list and a
 * `conflict` from the conflict list. The server now keeps the first non-applied answer per
 * (clientId, seq) and sends it as the duplicate's `original`; the client settles that.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../protocol/index.ts';
import { ApiClient, noteCard } from '../support/api-client.ts';
import {
  denyBackgroundSync,
  ensureAppBuilt,
  inPage,
  launchBrowser,
  type TestBrowser,
  waitFor,
  waitForPage,
} from '../support/browser.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { BrowserDevice } from './browser-device.ts';
import { startWireTap, type WireTap } from './wire-tap.ts';

const PASSWORD = 'lost-answer-password';

describe('a push answer lost after commit, then resent in a wider batch', () => {
  let server: ServerProcess;
  let tap: WireTap;
  let proxy: FaultProxy;
  let chromium: TestBrowser;

  beforeAll(async () => {
    ensureAppBuilt();
    server = await startServer({ env: { BURROW_SCRYPT_COST: '1024' } });
    // The tap behind the proxy shows what the server answered, including the answers the proxy drops.
    tap = await startWireTap(server.url);
    proxy = await startFaultProxy(tap.url);
    chromium = await launchBrowser();
  });
  afterAll(async () => {
    await chromium?.close();
    await proxy?.close();
    await tap?.close();
    await server?.stop();
  });

  /** A signed-in device and a script on the same account, with the account's workspace. */
  async function account() {
    proxy.clearRules();
    const email = `lost-${newId()}@example.com`;
    const script = new ApiClient(server.url);
    const signUp = await script.signUp(email, PASSWORD);
    const device = await BrowserDevice.open(chromium, 'device', proxy.url, { email, password: PASSWORD }, 1);
    // Only the drains this test starts may send: a sync event's is forced, and one reading the
    // outbox before the wider batch's commit and sending after the gateway clears would resend
    // the lost batch alone (a replay of the same key, not the wider batch under test).
    await denyBackgroundSync(device.context, proxy.url);
    return { script, device, tab: device.tabs[0], workspaceId: signUp.body.workspaces[0].id };
  }

  /**
   * Makes the next push execute on the server but lose its answer, and every later request fail
   * with 503 (not executed) until the rules are cleared; returns once the lost answer happened
   * and a resend was refused with a Retry-After ten minutes away. Until the test's own flush,
   * nothing then sends: the drains its commits start keep to that backoff, and no pull gets
   * through to have the engine drain at once as for a server back.
   */
  async function loseNextPushAnswer(tab: Page, commit: () => Promise<unknown>) {
    const drops = () =>
      proxy.log.filter((entry) => entry.fault === 'drop-after-commit' && entry.upstreamStatus === 200);
    const before = drops().length;
    proxy.addRule({ method: 'POST', path: '/api/sync/push', action: { kind: 'drop-after-commit' }, times: 1 });
    proxy.addRule({
      method: 'POST',
      path: '/api/sync/push',
      action: { kind: 'status', status: 503, retryAfterSeconds: 600 },
    });
    proxy.addRule({ method: 'GET', path: '/api/sync/pull', action: { kind: 'status', status: 503 } });
    await commit();
    await waitFor(() => drops().length > before, { message: 'the push to execute with its answer dropped' });
    await waitForPage(
      tab,
      `window.burrow.pendingMutations().then((entries) => (entries[0]?.nextAttemptAt ?? 0) > Date.now() + 60000)`,
      { message: 'the resend refused until a Retry-After ten minutes away' },
    );
  }

  async function createCollection(tab: Page, workspaceId: string, name: string): Promise<string> {
    const created = await inPage(
      tab,
      (burrow, arg) => burrow.create('collections', { name: arg.name, position: 1 }, { workspaceId: arg.workspaceId }),
      { name, workspaceId },
    );
    return created.id;
  }

  /** Flushes and waits until the outbox is empty (the resend was answered and settled). */
  async function deliver(tab: Page): Promise<void> {
    await inPage(tab, (burrow) => burrow.flush());
    await waitFor(async () => (await inPage(tab, (burrow) => burrow.pendingMutations())).length === 0, {
      message: 'the outbox to empty',
    });
  }

  async function createAndSync(tab: Page, workspaceId: string, name: string): Promise<string> {
    const id = await createCollection(tab, workspaceId, name);
    await deliver(tab);
    return id;
  }

  /** Which answers the server gave to mutations of `recordId`, in order (from the tap). */
  function answersFor(recordId: string): string[] {
    return tap.pushes.flatMap((push) =>
      push.mutations.flatMap((mutation, index) =>
        mutation.recordId === recordId && push.response && !push.replayed ? [push.response.results[index].status] : [],
      ),
    );
  }

  /** The self-parent update, answer lost; then, when `widerBatch`, a new edit joins the outbox before the resend. */
  async function rejectedThenResent(widerBatch: boolean) {
    const { device, tab, workspaceId } = await account();
    const collectionId = await createAndSync(tab, workspaceId, 'Parent of itself');
    // The server rejects a collection that is its own parent (invalid-field).
    await loseNextPushAnswer(tab, () =>
      inPage(tab, (burrow, id) => burrow.update('collections', id, { parentId: id }), collectionId),
    );
    if (widerBatch) await createCollection(tab, workspaceId, 'Later');
    proxy.clearRules();
    await deliver(tab);
    const failed = await inPage(tab, (burrow) => burrow.failed());
    await device.close();
    return { collectionId, failed };
  }

  it('control: resent alone (same key), the stored answer puts the rejection in the failed list', async () => {
    const { collectionId, failed } = await rejectedThenResent(false);
    expect(answersFor(collectionId)).toEqual(['applied', 'rejected']);
    expect(failed.map((entry) => entry.recordId)).toEqual([collectionId]);
  });

  it('resent in a wider batch, a rejected mutation still reaches the failed list', async () => {
    const { collectionId, failed } = await rejectedThenResent(true);
    expect(answersFor(collectionId)).toEqual(['applied', 'rejected', 'duplicate']);
    expect(failed.map((entry) => entry.recordId)).toEqual([collectionId]);
  });

  it('resent in a wider batch, a conflicting mutation still reaches the conflict list', async () => {
    const { script, device, tab, workspaceId } = await account();
    const card = await script.create('cards', { workspaceId, fields: noteCard({ title: 'Original' }) });
    await inPage(tab, (burrow) => burrow.pull());
    // From here the device sees no pulls: it edits version 1 while the script makes version 2.
    proxy.addRule({ method: 'GET', path: '/api/sync/pull', action: { kind: 'status', status: 503 } });
    await script.patch('cards', card.body.id, { title: 'Theirs' });
    await loseNextPushAnswer(tab, () =>
      inPage(tab, (burrow, id) => burrow.update('cards', id, { title: 'Mine' }), card.body.id),
    );
    await createCollection(tab, workspaceId, 'Later');
    proxy.clearRules();
    await deliver(tab);
    const conflicts = await inPage(tab, (burrow) => burrow.conflicts());
    await device.close();

    expect(answersFor(card.body.id)).toEqual(['conflict', 'duplicate']);
    expect(conflicts.map((entry) => [entry.recordId, entry.mine])).toEqual([[card.body.id, { title: 'Mine' }]]);
  });
});
