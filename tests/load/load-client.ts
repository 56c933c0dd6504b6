/** One simulated client of the load run: its account, clientId, seqs and what the server acknowledged. */
import { type Mutation, newId, type PushResponse } from '../../protocol/index.ts';

export interface LoadResponse {
  status: number;
  body: unknown;
}

export interface LoadClient {
  clientId: string;
  cursor: number;
  nextMutation(): Mutation;
  acknowledge(mutations: Mutation[], response: PushResponse): void;
  compare(seen: Map<string, number>): { lost: number; duplicated: number; unexpected: string[] };
  request(method: string, path: string, options?: { body?: unknown; idempotencyKey?: string }): Promise<LoadResponse>;
}

/** Signs up a fresh account and returns a client that pushes to its default workspace. */
export async function signUpClient(baseUrl: string, index: number): Promise<LoadClient> {
  const email = `load-${index}-${newId().slice(-12)}@example.test`;
  const signup = await fetch(`${baseUrl}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'load-password-1' }),
  });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${await signup.text()}`);
  const cookie = (signup.headers.get('set-cookie') ?? '').split(';')[0];
  const { workspaces } = (await signup.json()) as { workspaces: { id: string }[] };
  return createLoadClient(baseUrl, cookie, workspaces[0].id);
}

function createLoadClient(baseUrl: string, cookie: string, workspaceId: string): LoadClient {
  let seq = 0;
  /** Card id → how many of our mutations of it the server applied (its expected version). */
  const applied = new Map<string, number>();
  const known: string[] = [];
  const unexpected: string[] = [];

  function mutation(op: 'create' | 'update', recordId: string, fields: Record<string, unknown>): Mutation {
    seq += 1;
    return {
      seq,
      id: newId(),
      table: 'cards',
      op,
      recordId,
      workspaceId,
      baseVersion: op === 'create' ? 0 : (applied.get(recordId) ?? 0),
      fields,
      clientTime: new Date().toISOString(),
    };
  }

  return {
    clientId: newId(),
    cursor: 0,
    nextMutation() {
      const title = `Load test card ${seq} — ${'x'.repeat(120)}`;
      if (known.length === 0 || Math.random() < 0.3) {
        const id = newId();
        known.push(id);
        const fields = {
          kind: 'note',
          title,
          content: 'y'.repeat(100),
          tags: ['load'],
          collectionIds: [],
          pinned: false,
        };
        return mutation('create', id, fields);
      }
      return mutation('update', known[Math.floor(Math.random() * known.length)], { title });
    },
    acknowledge(mutations, response) {
      response.results.forEach((result, i) => {
        const sent = mutations[i];
        if (result.status !== 'applied') {
          unexpected.push(`${sent.op} ${sent.recordId}: ${result.status} ${JSON.stringify(result)}`);
          return;
        }
        applied.set(sent.recordId, (applied.get(sent.recordId) ?? 0) + 1);
      });
    },
    compare(seen) {
      let lost = 0;
      let duplicated = 0;
      for (const [id, version] of applied) {
        const actual = seen.get(id) ?? 0;
        if (actual < version) lost += version - actual;
        if (actual > version) duplicated += actual - version;
      }
      for (const id of seen.keys()) if (!applied.has(id)) unexpected.push(`unexpected card ${id}`);
      return { lost, duplicated, unexpected };
    },
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { cookie };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
  };
}
