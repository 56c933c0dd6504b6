/**
 * `tsx tests/bench/typing.bench.ts`: a person typing 1,000 characters into a new note with 10,000
 * cards present, signed in: how long each write of the draft to the local store takes (p99, at
 * most a frame), and how many pushes reach the server per second while typing (at most one).
 */

import { signIn, uniqueEmail, waitSynced } from '../app/app-rig.ts';
import { ensureAppBuilt, inPage, launchDiskDevices, openApp } from '../support/browser.ts';
import { startServer } from '../support/server-process.ts';
import { type BenchRow, benchRow, markdownTable, writeBenchResults } from './bench-report.ts';

const CARDS = 10_000;
const CHARACTERS = 1_000;
/** Between two key presses: a fast typist, about 150 words a minute. */
const KEY_DELAY_MS = 60;
const COMMIT_P99_BUDGET_MS = 16;
const PUSHES_PER_SECOND_BUDGET = 1;

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

async function main(): Promise<void> {
  ensureAppBuilt();
  const server = await startServer();
  const devices = launchDiskDevices();
  try {
    const device = await devices.newDevice();
    const page = await openApp(device, server.url);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await signIn(page, uniqueEmail('typing-bench'), 'Create account');
    await inPage(
      page,
      async (burrow, count) => {
        const [workspace] = await burrow.workspaces();
        for (let index = 0; index < count; index++) {
          await burrow.create(
            'cards',
            { kind: 'note', title: `Card ${index}`, content: 'seed', tags: [], collectionIds: [], pinned: false },
            { workspaceId: workspace?.id },
          );
        }
        await burrow.flush();
      },
      CARDS,
    );
    await waitSynced(page);

    // Each write the editor makes goes through the client's create or update: time them there.
    await page.evaluate(`(() => {
      const burrow = window.burrow;
      window.draftWrites = [];
      for (const name of ['create', 'update']) {
        const original = burrow[name].bind(burrow);
        burrow[name] = async (...args) => {
          const started = performance.now();
          try { return await original(...args); } finally { window.draftWrites.push(performance.now() - started); }
        };
      }
    })()`);
    const pushes: number[] = [];
    device.on('request', (request) => {
      if (request.url().endsWith('/api/sync/push')) pushes.push(Date.now());
    });

    await page.getByRole('button', { name: 'New note' }).click();
    const dialog = page.getByRole('dialog', { name: 'New note' });
    const text = 'Typing into a note while ten thousand cards wait around it. '.repeat(20).slice(0, CHARACTERS);
    const started = Date.now();
    await dialog.getByLabel('Text (markdown)').pressSequentially(text, { delay: KEY_DELAY_MS, timeout: 0 });
    const typingSeconds = (Date.now() - started) / 1000;
    const pushesWhileTyping = pushes.filter((at) => at >= started).length;
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    const writes = (await page.evaluate('window.draftWrites')) as number[];

    const rows: BenchRow[] = [
      benchRow({
        name: `typing: draft write p99 (${CHARACTERS} characters, ${CARDS} cards, ${writes.length} writes)`,
        value: Math.round(percentile(writes, 0.99) * 10) / 10,
        unit: 'ms',
        target: { on: 'value', atMost: COMMIT_P99_BUDGET_MS },
      }),
      benchRow({
        name: 'typing: draft write p90',
        value: Math.round(percentile(writes, 0.9) * 10) / 10,
        unit: 'ms',
      }),
      benchRow({
        name: `typing: draft writes over ${COMMIT_P99_BUDGET_MS} ms (of ${writes.length})`,
        value: writes.filter((ms) => ms > COMMIT_P99_BUDGET_MS).length,
        unit: '',
      }),
      benchRow({
        name: 'typing: draft write median',
        value: Math.round(percentile(writes, 0.5) * 10) / 10,
        unit: 'ms',
      }),
      benchRow({
        name: `typing: pushes per second while typing (${pushesWhileTyping} in ${typingSeconds.toFixed(0)} s)`,
        value: Math.round((pushesWhileTyping / typingSeconds) * 100) / 100,
        unit: '/s',
        target: { on: 'value', atMost: PUSHES_PER_SECOND_BUDGET },
      }),
    ];
    await writeBenchResults('typing', rows);
    console.log(markdownTable(rows));
  } finally {
    await devices.close();
    await server.stop();
  }
}

await main();
