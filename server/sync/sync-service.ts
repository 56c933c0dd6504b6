/**
 * The protocol's rules over storage ports: client binding, idempotency replay, the cursor
 * policy, response assembly, the server's preview writes, and the refusals (`client-forbidden`, `idempotency-key-reused`,
 * `cursor-ahead`, `cursor-expired`). Adapters hold only their SQL (`sync-ports.ts`).
 */
import { newId, PROTOCOL_VERSION, type PushRequest, type PushResponse } from '../../protocol/index.ts';
import { type PreviewOutcome, requestRefresh, settlePreview } from '../previews/preview-fill.ts';
import type { PreviewJob } from '../previews/preview-queue.ts';
import { fail } from '../problem.ts';
import { type JsonPieces, jsonAround } from '../storage/envelope-pages.ts';
import type { Account, IdempotencyInput, RestWrite, StoredResponse } from '../storage/store.ts';
import { applyMutation, type MutationInput } from './apply-mutation.ts';
import { applyPush } from './apply-push.ts';
import { restMutation, restResponse } from './rest-write.ts';
import { toEnvelope } from './stored-record.ts';
import type { SyncStorage, WriteIntent, WritePorts } from './sync-ports.ts';

/** The stored response for a repeated key, a 422 for a reused one, null for a new one. */
function replay(ports: WritePorts, userId: string, idempotency: IdempotencyInput | undefined): StoredResponse | null {
  if (!idempotency) return null;
  const stored = ports.idempotency.find(userId, idempotency.key);
  if (!stored) return null;
  if (stored.fingerprint !== idempotency.fingerprint) {
    throw fail(422, 'idempotency-key-reused', 'This Idempotency-Key was used with a different request.');
  }
  return { status: stored.status, body: stored.body, replayed: true };
}

function remember(
  ports: WritePorts,
  userId: string,
  idempotency: IdempotencyInput | undefined,
  response: StoredResponse,
): void {
  if (!idempotency) return;
  const { status, body } = response;
  ports.idempotency.save(userId, idempotency.key, { fingerprint: idempotency.fingerprint, status, body });
}

function pushIntent(userId: string, request: PushRequest, idempotency?: IdempotencyInput): WriteIntent {
  return {
    userId,
    clientId: request.clientId,
    idempotencyKey: idempotency?.key,
    records: request.mutations.map(({ table, recordId, workspaceId, seq, fields }) => ({
      table,
      recordId,
      workspaceId,
      seq,
      fields,
    })),
  };
}

function restIntent(userId: string, write: RestWrite, idempotency?: IdempotencyInput): WriteIntent {
  const record =
    write.op === 'create'
      ? { table: write.table, recordId: write.id, workspaceId: write.workspaceId, fields: write.fields }
      : { table: write.table, recordId: write.id, fields: write.op === 'update' ? write.fields : undefined };
  return { userId, idempotencyKey: idempotency?.key, records: [record] };
}

export class SyncService {
  constructor(private readonly storage: SyncStorage) {}

  /** Creates a user and their default workspace (a real record, in the change feed); 409 `email-taken`. */
  createUser(input: { email: string; passwordHash: string; workspaceName: string }): Promise<Account> {
    const userId = newId();
    const workspaceId = newId();
    const intent: WriteIntent = {
      userId,
      email: input.email,
      records: [{ table: 'workspaces', recordId: workspaceId, workspaceId }],
    };
    return this.storage.write(intent, (ports) => {
      if (ports.users.emailTaken(input.email)) throw fail(409, 'email-taken', 'This email is already registered.');
      ports.users.insert({ id: userId, email: input.email, passwordHash: input.passwordHash });
      const mutation: MutationInput = {
        table: 'workspaces',
        op: 'create',
        recordId: workspaceId,
        workspaceId,
        baseVersion: 0,
        fields: { name: input.workspaceName },
      };
      const outcome = applyMutation(ports.records, mutation, { userId, writer: null, pointer: '' });
      if (outcome.status !== 'applied' || !outcome.record) throw new Error('the default workspace was not created');
      return { user: { id: userId, email: input.email }, workspaces: [toEnvelope(outcome.record)] };
    });
  }

  /**
   * Applies a push: idempotency replay, client binding, seq check, apply, outcomes kept for
   * later duplicates, response stored. Throws 403 `client-forbidden`, 409 `seq-gap`, 422
   * `idempotency-key-reused`.
   */
  push(userId: string, request: PushRequest, idempotency?: IdempotencyInput): Promise<StoredResponse> {
    return this.storage.write(pushIntent(userId, request, idempotency), (ports) => {
      const replayed = replay(ports, userId, idempotency);
      if (replayed) return replayed;
      const client = ports.clients.find(request.clientId);
      if (client && client.userId !== userId) {
        throw fail(403, 'client-forbidden', 'This clientId belongs to another user.');
      }
      const { results, lastSeq } = applyPush(ports.records, ports.outcomes, userId, request, client?.lastSeq ?? 0);
      ports.clients.save(request.clientId, userId, lastSeq);
      const response: PushResponse = { protocol: PROTOCOL_VERSION, lastSeq, cursor: ports.cursor(), results };
      const stored: StoredResponse = { status: 200, body: JSON.stringify(response), replayed: false };
      remember(ports, userId, idempotency, stored);
      return stored;
    });
  }

  /** Applies a REST write on the push path; throws problems for refusals. */
  writeRecord(userId: string, write: RestWrite, idempotency?: IdempotencyInput): Promise<StoredResponse> {
    return this.storage.write(restIntent(userId, write, idempotency), (ports) => {
      const replayed = replay(ports, userId, idempotency);
      if (replayed) return replayed;
      const input = restMutation(ports.records, userId, write);
      const outcome = applyMutation(ports.records, input, { userId, writer: null, pointer: '' });
      const stored = restResponse(write, outcome);
      remember(ports, userId, idempotency, stored);
      return stored;
    });
  }

  /**
   * Writes a finished preview fetch to its card as the server and removes its job (`settlePreview`):
   * a write of the card's owner, so it waits for their pushes and they for it.
   */
  settlePreview(job: PreviewJob, outcome: PreviewOutcome): Promise<'applied' | 'stale'> {
    const intent: WriteIntent = { userId: job.ownerId, records: [{ table: 'cards', recordId: job.cardId }] };
    return this.storage.write(intent, (ports) => settlePreview(ports.records, ports.previews, job, outcome));
  }

  /** A person's Refresh of a card's preview (`requestRefresh`); false when it is not their live link. */
  refreshPreview(userId: string, cardId: string): Promise<boolean> {
    const intent: WriteIntent = { userId, records: [{ table: 'cards', recordId: cardId }] };
    return this.storage.write(intent, (ports) => requestRefresh(ports.records, ports.previews, userId, cardId));
  }

  /**
   * JSON bytes of a PullResponse. Throws 409 `cursor-ahead`, 410 `cursor-expired` (unless
   * `knownHorizon`, the horizon the client's paging began under, is the current one).
   */
  async pull(userId: string, cursor: number, limit: number, knownHorizon?: number): Promise<JsonPieces> {
    const { latest, horizon, page } = await this.storage.readFeed(userId, cursor, limit);
    if (cursor > latest) {
      throw fail(409, 'cursor-ahead', `Cursor ${cursor} is ahead of the server (latest ${latest}); resync from 0.`);
    }
    // A client that began paging under this horizon lost nothing to the purge: the tombstones
    // it took were of records it never received (see docs/protocol.md, Purge).
    if (cursor > 0 && cursor < horizon && (knownHorizon ?? -1) < horizon) {
      throw fail(410, 'cursor-expired', `Changes before ${horizon} were purged; resync from 0.`);
    }
    // At the end of the feed the cursor is the server's latest seq, never below a purge horizon.
    const next = page.hasMore && page.last !== null ? page.last : latest;
    const tail = `],"cursor":${next},"hasMore":${page.hasMore},"horizon":${horizon}}`;
    return jsonAround(`{"protocol":${PROTOCOL_VERSION},"changes":[`, page, tail);
  }
}
