/** A small Burrow API client for Node tests: fetch with a cookie jar, push, pull and REST. */
import {
  assertPullResponse,
  assertPushResponse,
  type CardFields,
  type Envelope,
  type Mutation,
  newId,
  PROTOCOL_VERSION,
  type Problem,
  type PullResponse,
  type PushResponse,
  type RestList,
  type TableName,
} from '../../protocol/index.ts';

/** Anything shaped like `fetch`: global fetch for real HTTP, or a Hono app's `request`. */
export type FetchLike = (input: string, init: RequestInit) => Response | Promise<Response>;

/** A response, its body parsed as JSON when it is JSON (else the text, or null when empty). */
export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  /** The body as T when the status is 2xx; a problem object (or whatever came) otherwise. */
  body: T;
  /** The body as a problem, for the error branch of a test. */
  problem: Problem;
}

export interface AuthBody {
  user: { id: string; email: string };
  workspaces: Envelope[];
}

export interface RequestOptions {
  body?: unknown;
  /** A raw body sent as is (for malformed input); wins over `body`. */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Leave out the session cookie for this request. */
  anonymous?: boolean;
}

export interface PushOptions {
  /** The Idempotency-Key; default a new UUID per call. */
  key?: string;
  /** Default: this client's `clientId`. */
  clientId?: string;
}

export interface ApiClientOptions {
  /** Default: global fetch (real HTTP). Pass `(input, init) => app.request(input, init)` for in-process. */
  fetch?: FetchLike;
  /** The client id pushes are sent under; default a new UUIDv7. */
  clientId?: string;
}

/** One Burrow client: a cookie jar, a client id, and typed calls. It never throws on an HTTP status. */
export class ApiClient {
  readonly clientId: string;
  private readonly cookies = new Map<string, string>();
  private readonly fetchImpl: FetchLike;

  constructor(
    readonly baseUrl: string,
    options: ApiClientOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.clientId = options.clientId ?? newId();
  }

  /** The `Cookie` header this client sends, or '' when signed out. */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Sends one request; JSON-encodes `body`; keeps cookies the server sets. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    let body: string | Uint8Array | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const cookie = this.cookieHeader();
    if (cookie && !options.anonymous) headers.cookie = cookie;
    Object.assign(headers, options.headers);
    const response = await this.fetchImpl(new URL(path, this.baseUrl).href, { method, headers, body });
    this.keepCookies(response.headers);
    const parsed = await readBody(response);
    if (response.status === 200) checkSyncAnswer(method, path, body, parsed);
    return { status: response.status, headers: response.headers, body: parsed as T, problem: parsed as Problem };
  }

  async signUp(email: string, password: string): Promise<ApiResponse<AuthBody>> {
    return this.request<AuthBody>('POST', '/api/auth/signup', { body: { email, password } });
  }

  async signIn(email: string, password: string): Promise<ApiResponse<AuthBody>> {
    return this.request<AuthBody>('POST', '/api/auth/login', { body: { email, password } });
  }

  async signOut(): Promise<ApiResponse<null>> {
    return this.request<null>('POST', '/api/auth/logout');
  }

  async me(): Promise<ApiResponse<AuthBody>> {
    return this.request<AuthBody>('GET', '/api/auth/me');
  }

  /** Pushes mutations under this client's id with an Idempotency-Key. */
  async push(mutations: Mutation[], options: PushOptions = {}): Promise<ApiResponse<PushResponse>> {
    return this.request<PushResponse>('POST', '/api/sync/push', {
      body: pushBody(options.clientId ?? this.clientId, mutations),
      headers: { 'idempotency-key': options.key ?? newId() },
    });
  }

  async pull(cursor = 0, limit?: number, horizon?: number): Promise<ApiResponse<PullResponse>> {
    const query = new URLSearchParams({ cursor: String(cursor) });
    if (limit !== undefined) query.set('limit', String(limit));
    if (horizon !== undefined) query.set('horizon', String(horizon));
    return this.request<PullResponse>('GET', `/api/sync/pull?${query}`);
  }

  /** Pulls every page from `cursor` on; throws on any non-200 page (a test helper, not a probe). */
  async pullAll(cursor = 0, limit = 5000): Promise<{ changes: Envelope[]; cursor: number }> {
    const changes: Envelope[] = [];
    let current = cursor;
    let horizon: number | undefined;
    for (;;) {
      const page = await this.pull(current, limit, horizon);
      if (page.status !== 200)
        throw new Error(`pull from ${current} answered ${page.status}: ${JSON.stringify(page.body)}`);
      changes.push(...page.body.changes);
      current = page.body.cursor;
      horizon = page.body.horizon;
      if (!page.body.hasMore) return { changes, cursor: current };
    }
  }

  async list(table: string, query: Record<string, string> = {}): Promise<ApiResponse<RestList>> {
    return this.request<RestList>('GET', `/api/${table}?${new URLSearchParams(query)}`);
  }

  async get(table: string, id: string): Promise<ApiResponse<Envelope>> {
    return this.request<Envelope>('GET', `/api/${table}/${id}`);
  }

  async create(
    table: string,
    body: { id?: string; workspaceId: string; fields: Record<string, unknown> },
    key: string = newId(),
  ): Promise<ApiResponse<Envelope>> {
    return this.request<Envelope>('POST', `/api/${table}`, { body, headers: { 'idempotency-key': key } });
  }

  async patch(
    table: string,
    id: string,
    fields: Record<string, unknown>,
    options: { key?: string; ifMatch?: number } = {},
  ): Promise<ApiResponse<Envelope>> {
    const headers: Record<string, string> = { 'idempotency-key': options.key ?? newId() };
    if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
    return this.request<Envelope>('PATCH', `/api/${table}/${id}`, { body: { fields }, headers });
  }

  async remove(table: string, id: string): Promise<ApiResponse<Envelope>> {
    return this.request<Envelope>('DELETE', `/api/${table}/${id}`);
  }

  private keepCookies(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const separator = pair.indexOf('=');
      if (separator < 0) continue;
      const name = pair.slice(0, separator).trim();
      const value = pair.slice(separator + 1).trim();
      const expired = attributes.some(isExpiry);
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** The push request body for `mutations` under `clientId`. */
export function pushBody(clientId: string, mutations: Mutation[]) {
  return { protocol: PROTOCOL_VERSION, clientId, mutations };
}

/**
 * Runs a 200 answer of push or pull through the checks the client runs (`protocol/answer-checks.ts`),
 * so every test that talks to a server also proves its answers are what the client accepts.
 */
export function checkSyncAnswer(method: string, path: string, sent: unknown, answer: unknown): void {
  const route = new URL(path, 'http://x').pathname;
  try {
    if (method === 'POST' && route === '/api/sync/push') {
      const request =
        typeof sent === 'string' ? JSON.parse(sent) : JSON.parse(new TextDecoder().decode(sent as Uint8Array));
      assertPushResponse(answer, request);
    }
    if (method === 'GET' && route === '/api/sync/pull') assertPullResponse(answer);
  } catch (error) {
    throw new Error(`${method} ${route} answered 200 with what a client refuses`, { cause: error });
  }
}

/** `Max-Age=0` (or negative) or an `Expires` in the past: the server is deleting the cookie. */
function isExpiry(attribute: string): boolean {
  const [name, value = ''] = attribute.split('=').map((part) => part.trim());
  if (/^max-age$/i.test(name)) return Number(value) <= 0;
  if (/^expires$/i.test(name)) return Date.parse(value) <= Date.now();
  return false;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  const type = response.headers.get('content-type') ?? '';
  if (!/json/i.test(type)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A whole note card of about 300 bytes of JSON: the benchmark's and the tests' typical record. */
export function noteCard(overrides: Partial<CardFields> = {}): CardFields {
  return {
    kind: 'note',
    title: 'A note about burrows and the animals that dig them',
    description: 'Rabbits, badgers and wombats dig burrows of many rooms.',
    content: 'Burrows keep an even temperature through the year; some are used for generations.',
    tags: ['animals', 'burrows'],
    collectionIds: [],
    pinned: false,
    ...overrides,
  };
}

/**
 * Builds mutations the way a client's outbox does: seqs 1, 2, 3, … without gaps, a new
 * mutation id each, the client's clock as `clientTime`.
 */
export class MutationBuilder {
  /** The seq the next built mutation gets. */
  nextSeq: number;

  constructor(firstSeq = 1) {
    this.nextSeq = firstSeq;
  }

  create(table: TableName, workspaceId: string, fields: Record<string, unknown>, recordId: string = newId()): Mutation {
    return this.build({ table, op: 'create', recordId, workspaceId, baseVersion: 0, fields });
  }

  update(
    table: TableName,
    record: { id: string; workspaceId: string; version: number },
    fields: Record<string, unknown>,
  ): Mutation {
    return this.build({
      table,
      op: 'update',
      recordId: record.id,
      workspaceId: record.workspaceId,
      baseVersion: record.version,
      fields,
    });
  }

  delete(table: TableName, record: { id: string; workspaceId: string; version: number }): Mutation {
    return this.build({
      table,
      op: 'delete',
      recordId: record.id,
      workspaceId: record.workspaceId,
      baseVersion: record.version,
    });
  }

  restore(
    table: TableName,
    record: { id: string; workspaceId: string; version: number },
    fields?: Record<string, unknown>,
  ): Mutation {
    return this.build({
      table,
      op: 'restore',
      recordId: record.id,
      workspaceId: record.workspaceId,
      baseVersion: record.version,
      fields,
    });
  }

  private build(mutation: Omit<Mutation, 'seq' | 'id' | 'clientTime'>): Mutation {
    return { seq: this.nextSeq++, id: newId(), clientTime: new Date().toISOString(), ...mutation };
  }
}
