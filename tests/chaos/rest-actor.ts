/**
 * The REST client of the run: a script on an API token writing through `/api/:table` (create,
 * patch, delete) and restoring through push, retrying each request with the same
 * Idempotency-Key until the server gives a definite answer.
 */
import { type Envelope, type Mutation, newId, type PushResponse } from '../../protocol/index.ts';
import { ApiClient } from '../support/api-client.ts';
import type { Ledger } from './ledger.ts';
import type { PlannedOp } from './op-planner.ts';

/** How long one request is retried through faults and restarts before the op is given up. */
const GIVE_UP_MS = 60_000;

interface Answer<T> {
  status: number;
  body: T;
}

export class RestActor {
  readonly name = 'rest';
  private readonly api: ApiClient;
  private readonly clientId = newId();
  private nextSeq = 1;

  constructor(
    baseUrl: string,
    private readonly token: string,
  ) {
    this.api = new ApiClient(baseUrl);
  }

  /** Performs `op` and records it in the ledger when the server took it. */
  async run(op: PlannedOp, ledger: Ledger): Promise<void> {
    switch (op.kind) {
      case 'create':
        return this.create(op, ledger);
      case 'update':
        return this.patch(op, ledger);
      case 'purge':
        return this.purge(op, ledger);
      default:
        return this.deleteOrRestore(op, ledger);
    }
  }

  private async create(op: Extract<PlannedOp, { kind: 'create' }>, ledger: Ledger) {
    const id = newId();
    const key = newId();
    const body =
      op.table === 'workspaces' ? { id, fields: op.fields } : { id, workspaceId: op.workspaceId, fields: op.fields };
    const answer = await this.send<Envelope>('POST', `/api/${op.table}`, body, key);
    if (answer?.status !== 201) return ledger.refuse(`rest: create answered ${answer?.status ?? 'nothing'}`);
    ledger.remember({
      table: op.table,
      id,
      workspaceId: answer.body.workspaceId,
      url: typeof op.fields.url === 'string' ? op.fields.url : undefined,
    });
    ledger.commit({
      actor: this.name,
      kind: 'create',
      table: op.table,
      recordId: id,
      tokens: op.tokens,
      idempotencyKey: key,
    });
  }

  private async patch(op: Extract<PlannedOp, { kind: 'update' }>, ledger: Ledger) {
    const key = newId();
    const answer = await this.send<Envelope>('PATCH', `/api/${op.table}/${op.recordId}`, { fields: op.fields }, key);
    if (answer?.status !== 200) return ledger.refuse(`rest: patch answered ${answer?.status ?? 'nothing'}`);
    ledger.commit({
      actor: this.name,
      kind: 'update',
      table: op.table,
      recordId: op.recordId,
      tokens: op.tokens,
      idempotencyKey: key,
    });
  }

  /** Deletes for good (`DELETE …?purge=1`): a live record or a tombstone. */
  private async purge(op: Extract<PlannedOp, { kind: 'purge' }>, ledger: Ledger) {
    const key = newId();
    const answer = await this.send<Envelope>('DELETE', `/api/${op.table}/${op.recordId}?purge=1`, undefined, key);
    if (answer?.status !== 200) return ledger.refuse(`rest: purge answered ${answer?.status ?? 'nothing'}`);
    ledger.commit({
      actor: this.name,
      kind: 'purge',
      table: op.table,
      recordId: op.recordId,
      tokens: {},
      idempotencyKey: key,
    });
  }

  /** Deletes a live record (REST) or restores a tombstone (push: REST has no restore). */
  private async deleteOrRestore(op: Extract<PlannedOp, { kind: 'delete' | 'restore' }>, ledger: Ledger) {
    const current = await this.send<Envelope>('GET', `/api/${op.table}/${op.recordId}`);
    if (current?.status !== 200) return ledger.refuse(`rest: get answered ${current?.status ?? 'nothing'}`);
    if (!current.body.deleted) {
      const key = newId();
      const answer = await this.send<Envelope>('DELETE', `/api/${op.table}/${op.recordId}`, undefined, key);
      if (answer?.status !== 200) return ledger.refuse(`rest: delete answered ${answer?.status ?? 'nothing'}`);
      ledger.commit({
        actor: this.name,
        kind: 'delete',
        table: op.table,
        recordId: op.recordId,
        tokens: {},
        idempotencyKey: key,
      });
      return;
    }
    const mutation: Mutation = {
      seq: this.nextSeq,
      id: newId(),
      table: op.table,
      op: 'restore',
      recordId: op.recordId,
      workspaceId: current.body.workspaceId,
      baseVersion: current.body.version,
      clientTime: new Date().toISOString(),
    };
    const body = { protocol: 1, clientId: this.clientId, mutations: [mutation] };
    const answer = await this.send<PushResponse>('POST', '/api/sync/push', body, `${this.clientId}.${mutation.seq}`);
    if (answer?.status !== 200) return ledger.refuse(`rest: push answered ${answer?.status ?? 'nothing'}`);
    this.nextSeq += 1;
    const result = answer.body.results[0];
    if (result.status !== 'applied') return ledger.refuse(`rest: restore ${result.status}`);
    ledger.commit({
      actor: this.name,
      kind: 'restore',
      table: op.table,
      recordId: op.recordId,
      tokens: {},
      mutationId: mutation.id,
    });
  }

  /**
   * Sends one request, again and again with the same body and key through network errors,
   * 5xx and 429, until another answer comes; null when it never does.
   */
  private async send<T>(method: string, path: string, body?: unknown, key?: string): Promise<Answer<T> | null> {
    const deadline = Date.now() + GIVE_UP_MS;
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (key) headers['idempotency-key'] = key;
    while (Date.now() < deadline) {
      try {
        const answer = await this.api.request<T>(method, path, { body, headers });
        if (answer.status < 500 && answer.status !== 429) return { status: answer.status, body: answer.body };
        const retryAfter = Number(answer.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 200);
      } catch {
        await sleep(200);
      }
    }
    return null;
  }
}

/** Signs in as a script: creates an API token through the session of `api`. */
export async function createApiToken(api: ApiClient): Promise<string> {
  const answer = await api.request<{ token: string }>('POST', '/api/auth/tokens', { body: { name: 'chaos script' } });
  if (answer.status !== 201)
    throw new Error(`token creation answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.token;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
