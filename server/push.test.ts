import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../protocol/index.ts';
import { noteCard, signUp, startTestServer, type TestServer } from './test-support/test-server.ts';

let server: TestServer;
beforeEach(() => {
  server = startTestServer();
});
afterEach(() => server.close());

describe('push', () => {
  it('applies a create and returns the envelope with the mutation seq and id', async () => {
    const user = await signUp(server);
    const recordId = newId();
    const response = await user.push([{ op: 'create', table: 'cards', recordId, fields: noteCard() }]);
    expect(response.lastSeq).toBe(1);
    expect(response.results[0]).toMatchObject({ seq: 1, status: 'applied', record: { id: recordId, version: 1 } });
  });
});
