/**
 * The preview queue is durable: a server killed (SIGKILL) while it fetches a link's preview
 * fetches it again when it starts, and the card gets its preview; a job queued while
 * fetching was off runs once it is on.
 */
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope, PreviewMetadata } from '../../protocol/index.ts';
import { type FixtureSite, htmlPage, sendHtml, startFixtureSite } from '../../server/test-support/fixture-site.ts';
import { ApiClient, MutationBuilder } from '../support/api-client.ts';
import { waitFor } from '../support/browser.ts';
import { type ServerProcess, startServer } from '../support/server-process.ts';
import { signUpWithWorkspace } from './accounts.ts';

const ENV = { BURROW_UNFURL: '1', BURROW_UNFURL_ALLOW_PRIVATE: '1', BURROW_UNFURL_HOST_GAP_MS: '0' };

let server: ServerProcess | undefined;
let site: FixtureSite | undefined;

afterEach(async () => {
  await server?.stop();
  await site?.close();
  server = undefined;
});

async function linkCardOf(client: ApiClient, url: string): Promise<string> {
  const account = await signUpWithWorkspace(client);
  const builder = new MutationBuilder();
  const fields = { kind: 'link', url, title: '', content: '', tags: [], collectionIds: [], pinned: false };
  const create = builder.create('cards', account.workspaceId, fields);
  const response = await client.push([create]);
  expect(response.body.results[0].status).toBe('applied');
  return create.recordId;
}

async function readyCard(client: ApiClient, id: string): Promise<Envelope> {
  return waitFor(
    async () => {
      const card = (await client.get('cards', id)).body;
      return (card.fields?.metadata as PreviewMetadata | undefined)?.status === 'ready' ? card : null;
    },
    { message: 'the card to get its preview', timeoutMs: 60_000 },
  );
}

describe('preview queue across restarts', () => {
  it('fetches again after a crash mid-fetch', async () => {
    site = await startFixtureSite();
    let held = true;
    site.route('/page', (request, response) => {
      if (held) return; // the first fetch never gets an answer: the server dies meanwhile
      sendHtml(htmlPage('<title>After the crash</title>'))(request, response);
    });
    server = await startServer({ env: ENV });
    const client = new ApiClient(server.url);
    const id = await linkCardOf(client, `${site.origin}/page`);
    await waitFor(() => site?.hits('/page') === 1, { message: 'the first fetch to start' });
    await server.kill();
    held = false;
    await server.restart();
    const card = await readyCard(client, id);
    expect(card.fields.title).toBe('After the crash');
    expect(site.hits('/page')).toBe(2);
  });

  it('runs a job queued while fetching was off once it is on', async () => {
    site = await startFixtureSite();
    site.route('/page', sendHtml(htmlPage('<title>Later</title>')));
    const off = await startServer({ env: { ...ENV, BURROW_UNFURL: '0' }, keepDataDir: true });
    const client = new ApiClient(off.url);
    const id = await linkCardOf(client, `${site.origin}/page`);
    await off.stop();
    expect(site.hits('/page')).toBe(0);
    server = await startServer({ env: ENV, dataDir: off.dataDir, port: Number(new URL(off.url).port) });
    try {
      expect((await readyCard(client, id)).fields.title).toBe('Later');
    } finally {
      await server.stop();
      server = undefined;
      await rm(off.dataDir, { recursive: true, force: true });
    }
  });
});
