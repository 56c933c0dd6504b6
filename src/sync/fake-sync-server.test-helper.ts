/** Test helper: the push and pull endpoints as a `fetch` function, with faults on demand. */
import {
  type Envelope,
  type MutationResult,
  PROBLEM,
  type ProblemCode,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from '../../protocol/index.ts';

/** What the next request gets instead of normal processing. */
export type Fault =
  | {
      kind: 'status';
      status: number;
      code?: ProblemCode;
      extra?: Record<string, unknown>;
      headers?: Record<string, string>;
    }
  | { kind: 'network-error' }
  /** Processes the push (it is applied and stored), then loses the response. */
  | { kind: 'drop-after-apply' }
  /** Never answers until the request's signal aborts. */
  | { kind: 'hang' }
  /** Processes the push (it is applied and stored), then answers `answer` of the response instead. */
  | { kind: 'tamper'; answer: (response: PushResponse) => unknown }
  /** Reads the page, then answers `answer` of it instead. */
  | { kind: 'tamper-page'; answer: (page: PullResponse) => unknown };

export interface PushLogEntry {
  key: string;
  clientId: string;
  seqs: number[];
  status: number | 'lost';
}

function problem(status: number, code: ProblemCode, extra: Record<string, unknown> = {}): Response {
  return new Response(
    JSON.stringify({ type: `/docs/problems#${code}`, title: code, status, detail: code, code, ...extra }),
    {
      status,
      headers: { 'content-type': 'application/problem+json' },
    },
  );
}

function json(body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A small, faithful-enough server: per-client lastSeq, idempotency replay, seq gaps, a change feed. */
export class FakeSyncServer {
  /** Faults for the next requests, in order (null: that request is answered normally). */
  readonly pushFaults: (Fault | null)[] = [];
  readonly pullFaults: (Fault | null)[] = [];
  readonly pushLog: PushLogEntry[] = [];
  readonly pullLog: number[] = [];
  /** The page size each pull request asked for. */
  readonly pullLimits: number[] = [];
  /** Pages end after this many changes whatever the limit asked (as the server's byte budget ends them). */
  maxPageChanges = Number.POSITIVE_INFINITY;
  readonly lastSeq = new Map<string, number>();
  /** Every mutation id the server applied, once per application: duplicates would show twice. */
  readonly appliedMutationIds: string[] = [];
  readonly feed: Envelope[] = [];
  /** Clients whose pushes get 403 client-forbidden. */
  readonly forbiddenClients = new Set<string>();
  /** Mutation ids whose presence makes the whole request a 400 invalid-request. */
  readonly poisonMutationIds = new Set<string>();
  /** Pushes with more mutations than this get 413. */
  maxMutations = 1000;
  /** Pull pages with a cursor below this get 410 cursor-expired. */
  purgeHorizon = 0;
  private seq = 0;
  private readonly stored = new Map<string, { body: string; response: PushResponse }>();
  private readonly versions = new Map<string, number>();

  /** The `fetch` the loops are given. */
  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input), 'http://burrow.test');
    if (url.pathname === '/api/sync/push') return this.push(init ?? {});
    if (url.pathname === '/api/sync/pull') return this.pull(url, init ?? {});
    return problem(404, PROBLEM.notFound);
  };

  /** Adds a change made elsewhere to the feed (what a pull will return). */
  addChange(envelope: Omit<Envelope, 'seq'>): Envelope {
    const stamped = { ...envelope, seq: ++this.seq };
    this.feed.push(stamped);
    return stamped;
  }

  private async fault(
    fault: Fault | null | undefined,
    signal: AbortSignal | null | undefined,
  ): Promise<Response | null> {
    if (!fault) return null;
    if (fault.kind === 'network-error') throw new TypeError('Failed to fetch');
    if (fault.kind === 'hang') {
      return new Promise((_, reject) =>
        signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    }
    if (fault.kind === 'status') {
      const response = problem(fault.status, fault.code ?? PROBLEM.internal, fault.extra);
      for (const [name, value] of Object.entries(fault.headers ?? {})) response.headers.set(name, value);
      return response;
    }
    return null;
  }

  private async push(init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    const key = headers.get('idempotency-key') ?? '';
    const body = String(init.body);
    const request = JSON.parse(body) as PushRequest;
    const entry: PushLogEntry = {
      key,
      clientId: request.clientId,
      seqs: request.mutations.map((m) => m.seq),
      status: 0,
    };
    this.pushLog.push(entry);
    const fault = this.pushFaults.shift();
    try {
      const faulted = await this.fault(fault, init.signal);
      if (faulted) {
        entry.status = faulted.status;
        return faulted;
      }
    } catch (error) {
      entry.status = 'lost';
      throw error;
    }
    const processed = this.process(key, body, request);
    const response =
      fault?.kind === 'tamper' && processed.ok
        ? json(fault.answer((await processed.json()) as PushResponse))
        : processed;
    entry.status = response.status;
    if (fault?.kind === 'drop-after-apply') {
      entry.status = 'lost';
      throw new TypeError('connection reset');
    }
    return response;
  }

  private process(key: string, body: string, request: PushRequest): Response {
    if (request.mutations.length > this.maxMutations) return problem(413, PROBLEM.tooLarge);
    if (request.mutations.some((mutation) => this.poisonMutationIds.has(mutation.id))) {
      return problem(400, PROBLEM.invalidRequest);
    }
    const previous = this.stored.get(key);
    if (previous) {
      if (previous.body !== body) return problem(422, PROBLEM.idempotencyKeyReused);
      return json(previous.response, { 'idempotent-replayed': 'true' });
    }
    if (this.forbiddenClients.has(request.clientId)) return problem(403, PROBLEM.clientForbidden);
    const last = this.lastSeq.get(request.clientId) ?? 0;
    if (request.mutations[0].seq > last + 1) return problem(409, PROBLEM.seqGap, { expectedSeq: last + 1 });
    const results: MutationResult[] = request.mutations.map((mutation) => {
      const current = this.lastSeq.get(request.clientId) ?? 0;
      if (mutation.seq <= current) return { seq: mutation.seq, id: mutation.id, status: 'duplicate' };
      this.lastSeq.set(request.clientId, mutation.seq);
      this.appliedMutationIds.push(mutation.id);
      const version = (this.versions.get(mutation.recordId) ?? 0) + 1;
      this.versions.set(mutation.recordId, version);
      const record = this.addChange({
        table: mutation.table as Envelope['table'],
        id: mutation.recordId,
        workspaceId: mutation.workspaceId,
        version,
        deleted: mutation.op === 'delete',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
        fields: mutation.fields ?? {},
      });
      const { seq, deleted, updatedAt } = record;
      const stamp = { version, seq, deleted, updatedAt };
      return { seq: mutation.seq, id: mutation.id, status: 'applied', fromVersion: version - 1, stamp };
    });
    const response: PushResponse = {
      protocol: 1,
      lastSeq: this.lastSeq.get(request.clientId) ?? 0,
      cursor: this.seq,
      results,
    };
    this.stored.set(key, { body, response });
    return json(response);
  }

  private async pull(url: URL, init: RequestInit): Promise<Response> {
    const cursor = Number(url.searchParams.get('cursor') ?? '0');
    const limit = Number(url.searchParams.get('limit') ?? '1000');
    const knownHorizon = Number(url.searchParams.get('horizon') ?? '-1');
    this.pullLog.push(cursor);
    this.pullLimits.push(limit);
    const fault = this.pullFaults.shift();
    const faulted = await this.fault(fault, init.signal);
    if (faulted) return faulted;
    if (cursor > this.seq) return problem(409, PROBLEM.cursorAhead);
    // The server's rule: paging that began under the current horizon goes on.
    if (cursor > 0 && cursor < this.purgeHorizon && knownHorizon < this.purgeHorizon) {
      return problem(410, PROBLEM.cursorExpired);
    }
    // Latest version of each record only, as a server with one row per record does.
    const latest = new Map<string, Envelope>();
    for (const envelope of this.feed) latest.set(`${envelope.table}/${envelope.id}`, envelope);
    const changes = [...latest.values()]
      .filter((envelope) => envelope.seq > cursor)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, Math.min(limit, this.maxPageChanges));
    const page: PullResponse = {
      protocol: 1,
      changes,
      cursor: changes.length > 0 ? changes[changes.length - 1].seq : cursor,
      hasMore: [...latest.values()].some((envelope) => envelope.seq > (changes.at(-1)?.seq ?? cursor)),
      horizon: this.purgeHorizon,
    };
    return json(fault?.kind === 'tamper-page' ? fault.answer(page) : page);
  }
}
