import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../protocol/index.ts';
import { silentLogger } from '../logger.ts';
import { linkCard, signUp, startTestServer, type TestServer, type TestUser } from '../test-support/test-server.ts';
import { DEFAULT_PREVIEW_POLICY } from './preview-policy.ts';
import { PreviewRunner } from './preview-runner.ts';
import type { LinkPreview } from './unfurl.ts';

/** A fetch the test lets finish: the runner's real delegate seam, with no network. */
interface HeldFetch {
  url: string;
  finish(): void;
}

const EMPTY_PREVIEW: LinkPreview = {
  title: 'Fetched',
  description: null,
  siteName: null,
  image: null,
  favicon: null,
  articleText: null,
  canonicalUrl: null,
  publishedAt: null,
  media: [],
  mediaError: null,
};

let server: TestServer;
let runners: PreviewRunner[];
let held: HeldFetch[];
let running: Set<string>;
let violations: string[];
let owners: Map<string, string>;

beforeEach(() => {
  server = startTestServer();
  runners = [];
  held = [];
  running = new Set();
  violations = [];
  owners = new Map();
});
afterEach(async () => {
  for (const fetch of held) fetch.finish();
  for (const runner of runners) await runner.stop();
  await server.close();
});

function startRunner(policy = { ...DEFAULT_PREVIEW_POLICY, startIntervalMs: 10, hostGapMs: 200 }) {
  const runner = new PreviewRunner({
    store: server.store,
    logger: silentLogger,
    policy,
    unfurl: (url) =>
      new Promise<LinkPreview>((resolve) => {
        running.add(url);
        checkLimits(policy);
        held.push({
          url,
          finish: () => {
            running.delete(url);
            resolve(EMPTY_PREVIEW);
          },
        });
      }),
  });
  runners.push(runner);
  return runner.start({ releaseLeases: runners.length === 1 });
}

/** The limits hold at every start: in all, per person, per host. */
function checkLimits(policy: typeof DEFAULT_PREVIEW_POLICY) {
  const urls = [...running];
  const count = (key: (url: string) => string) => {
    const counts = new Map<string, number>();
    for (const url of urls) counts.set(key(url), (counts.get(key(url)) ?? 0) + 1);
    return Math.max(...counts.values());
  };
  if (urls.length > policy.globalConcurrency) violations.push(`${urls.length} at once`);
  if (count((url) => owners.get(url)!) > policy.perUserConcurrency) violations.push('a person over the limit');
  if (count((url) => new URL(url).host) > 1) violations.push('two on one host');
}

async function links(user: TestUser, urls: string[]) {
  for (const url of urls) owners.set(url, user.id);
  await user.push(
    urls.map((url) => ({ op: 'create' as const, table: 'cards' as const, recordId: newId(), fields: linkCard(url) })),
  );
}

async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited in vain for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('PreviewRunner', () => {
  it('keeps to the limits in all, per person and per host, and leaves room for others during an import', async () => {
    const importer = await signUp(server);
    const other = await signUp(server);
    const third = await signUp(server);
    await links(
      importer,
      Array.from({ length: 8 }, (_, i) => `https://site${i}.test/page`),
    );
    await links(other, ['https://other.test/a', 'https://another.test/b']);
    await links(third, ['https://site0.test/elsewhere']);
    await startRunner();
    await until(() => running.size === 4, 'four fetches');
    // The importer's many jobs are older, yet they hold only their two slots.
    expect([...running].filter((url) => owners.get(url) === importer.id)).toHaveLength(2);
    expect([...running].filter((url) => owners.get(url) === other.id)).toHaveLength(2);
    let finished = 0;
    while (finished < 11) {
      await until(() => held.length > finished, `fetch ${finished + 1}`);
      held[finished++].finish();
    }
    await until(() => runners[0].active === 0, 'the last fetch to settle');
    expect(held.map((fetch) => fetch.url).sort()).toEqual([...owners.keys()].sort());
    expect(violations).toEqual([]);
    expect(await server.store.nextPreviewRunAt()).toBeNull();
  });

  it('keeps the limits over two runners sharing the database, as two processes on PostgreSQL run', async () => {
    const importer = await signUp(server);
    const other = await signUp(server);
    await links(
      importer,
      Array.from({ length: 8 }, (_, i) => `https://bulk${i}.test/page`),
    );
    await links(other, ['https://bulk0.test/other', 'https://solo.test/other', 'https://solo2.test/other']);
    await startRunner();
    await startRunner();
    await until(() => running.size === 4, 'four fetches');
    // Each runner alone would have let the importer have two: together they have two.
    expect([...running].filter((url) => owners.get(url) === importer.id)).toHaveLength(2);
    let finished = 0;
    while (finished < 11) {
      await until(() => held.length > finished, `fetch ${finished + 1}`);
      held[finished++].finish();
    }
    await until(() => runners.every((runner) => runner.active === 0), 'the last fetch to settle');
    expect(held.map((fetch) => fetch.url).sort()).toEqual([...owners.keys()].sort());
    expect(violations).toEqual([]);
  });

  it('fetches nothing on the push path: a push queues the job and answers before any fetch starts', async () => {
    const user = await signUp(server);
    await links(user, ['https://queued.test/']);
    expect(held).toEqual([]);
    expect(await server.store.nextPreviewRunAt()).not.toBeNull();
    await startRunner();
    await until(() => held.length === 1, 'the fetch');
  });
});
