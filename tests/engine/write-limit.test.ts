/**
 * A device that hits the server's write rate limit (429 with Retry-After: the worker backs off,
 * and after the window every change arrives exactly once) or its storage quota (the change is
 * kept as a failed change with the person's text). Real Chromium, real worker, a real server
 * started with a low limit and a small quota.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPage, waitFor } from '../support/browser.ts';
import {
  type Device,
  duplicatesBy,
  type EngineRig,
  note,
  openDevice,
  outboxState,
  serverCards,
  startRig,
  uniqueEmail,
  waitForServerCards,
} from './engine-rig.ts';

const LIMIT = 20;
const QUOTA_BYTES = 20_000;
/** Long enough that the second burst surely lands in the window the first one opened, even on a loaded machine. */
const WINDOW_MS = 10_000;

let rig: EngineRig;
let device: Device;

beforeAll(async () => {
  rig = await startRig({
    BURROW_WRITE_LIMIT: String(LIMIT),
    BURROW_WRITE_WINDOW_MS: String(WINDOW_MS),
    BURROW_QUOTA_BYTES: String(QUOTA_BYTES),
  });
  device = await openDevice(rig, { signUp: uniqueEmail('limited') });
});

afterAll(async () => {
  await device?.context.close();
  await rig?.close();
});

describe('write rate limit, end to end', () => {
  it('loses nothing when a device hits the limit, and delivers every change exactly once after the window', async () => {
    const { page, email, workspaceId } = device;
    const create = (titles: string[]) =>
      inPage(
        page,
        async (burrow, arg) => {
          const ids: string[] = [];
          for (const fields of arg.cards)
            ids.push((await burrow.create('cards', fields, { workspaceId: arg.workspaceId })).id);
          return ids;
        },
        { cards: titles.map(note), workspaceId },
      );

    // A first burst fits in the window and is delivered.
    const first = await create(Array.from({ length: 15 }, (_, i) => `first ${i}`));
    await waitForServerCards(rig, email, 15);

    // A second burst in the same window goes past the limit: refused whole with 429, kept, resent.
    const second = await create(Array.from({ length: 30 }, (_, i) => `second ${i}`));
    await inPage(
      page,
      async (burrow, arg) => {
        for (const id of arg.ids) await burrow.update('cards', id, { title: `renamed ${id}` });
      },
      { ids: first },
    );
    const refused = await waitFor(
      () =>
        inPage(page, async (burrow) => {
          const entries = await burrow.pendingMutations();
          return entries.find((entry) => /429/.test(entry.lastError ?? ''))?.lastError ?? null;
        }),
      { intervalMs: 50, message: 'an outbox entry whose last send was answered 429' },
    );
    expect(refused).toMatch(/rate-limited/);

    // After the window everything arrives, once.
    const cards = await waitForServerCards(rig, email, 45);
    await waitFor(async () => ((await outboxState(page)).pending === 0 ? true : null), {
      message: 'the outbox to be empty',
    });
    expect(await outboxState(page)).toEqual({ pending: 0, failed: 0, conflicts: 0 });
    const onServer = await serverCards(rig, email);
    expect(onServer).toHaveLength(45);
    expect(duplicatesBy(onServer, (card) => card.fields.title as string)).toEqual([]);
    const byId = new Map(onServer.map((card) => [card.id, card]));
    for (const id of first) expect(byId.get(id)).toMatchObject({ version: 2, fields: { title: `renamed ${id}` } });
    for (const [i, id] of second.entries())
      expect(byId.get(id)).toMatchObject({ version: 1, fields: { title: `second ${i}` } });
    expect(cards.length).toBeGreaterThanOrEqual(45);
  });

  it('keeps a change past the storage quota as a failed change with the text, and delivers the rest', async () => {
    const other = await openDevice(rig, { signUp: uniqueEmail('full') });
    const big = { ...note('Too big'), content: 'x'.repeat(QUOTA_BYTES) };
    await inPage(
      other.page,
      async (burrow, arg) => {
        await burrow.create('cards', arg.big, { workspaceId: arg.workspaceId });
        await burrow.create('cards', arg.small, { workspaceId: arg.workspaceId });
      },
      { big, small: note('Fits'), workspaceId: other.workspaceId },
    );
    const [failed] = await waitFor(
      () => inPage(other.page, async (burrow) => ((await burrow.failed()).length > 0 ? burrow.failed() : null)),
      { message: 'the change past the quota to be kept as failed' },
    );
    expect(failed.error).toMatchObject({ status: 413, code: 'quota-exceeded' });
    expect(failed.fields).toMatchObject({ title: 'Too big', content: big.content });
    const delivered = await waitForServerCards(rig, other.email, 1);
    expect(delivered.map((card) => card.fields.title)).toEqual(['Fits']);
    await other.context.close();
  });
});
