/**
 * The wire tap: a loopback proxy right in front of the server that records every write the
 * server executed and every record it sent back. It sits behind the fault proxy, so it sees
 * the server's answer even when the fault proxy then drops it; a request in flight when the
 * server is killed is recorded with an unknown outcome. This is the audit trail of the run.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Envelope, Mutation, PullResponse, PushResponse } from '../../protocol/index.ts';
import type { SeenVersion } from './audit.ts';

/** What came of a request as far as the server is concerned. */
export type ExchangeOutcome =
  /** The server answered (`status`); `replayed` when it was a stored idempotent answer. */
  | 'answered'
  /** The connection failed after the request may have reached the server: it may have executed. */
  | 'unknown'
  /** The server was not listening: nothing executed. */
  | 'refused';

/** One push request as the server saw it. */
export interface PushExchange {
  clientId: string;
  mutations: Mutation[];
  idempotencyKey: string;
  outcome: ExchangeOutcome;
  status: number | null;
  replayed: boolean;
  response: PushResponse | null;
}

/** One REST write (POST, PATCH, DELETE on `/api/:table[/:id]`). */
export interface RestExchange {
  method: string;
  table: string;
  /** From the path, or the body's `id` for a POST. */
  recordId: string | null;
  idempotencyKey: string | null;
  fields: Record<string, unknown>;
  outcome: ExchangeOutcome;
  status: number | null;
  replayed: boolean;
  envelope: Envelope | null;
}

export interface WireTap {
  readonly url: string;
  readonly pushes: readonly PushExchange[];
  readonly restWrites: readonly RestExchange[];
  /** Every record version the server told of (push results' stamps, REST answers, pulls), in arrival order. */
  readonly envelopes: readonly SeenVersion[];
  /** True once a push carrying `token` as a field value reached the tap (answered or not). */
  sawToken(token: string): boolean;
  close(): Promise<void>;
}

const REST_PATH = /^\/api\/([A-Za-z]+)(?:\/([^/]+))?$/;
const NOT_TABLES = new Set(['auth', 'sync', 'health']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']);

/** Starts the tap on 127.0.0.1 in front of `target` (the server's URL; the server may restart on it). */
export async function startWireTap(target: string): Promise<WireTap> {
  const targetUrl = new URL(target);
  const pushes: PushExchange[] = [];
  const restWrites: RestExchange[] = [];
  const envelopes: SeenVersion[] = [];
  const tokensSeen = new Set<string>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.headers.accept?.includes('text/event-stream')) return streamThrough(req, res);
    const body = await readAll(req);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    const record = recorderFor(method, path, req.headers, body);
    let upstream: Upstream;
    try {
      upstream = await forward(req, body);
    } catch (error) {
      record?.({ outcome: (error as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'refused' : 'unknown' });
      res.socket?.destroy();
      return;
    }
    record?.({ outcome: 'answered', upstream });
    if (path === '/api/sync/pull' && upstream.status === 200) {
      envelopes.push(...(parseJson<PullResponse>(decodedBody(upstream))?.changes ?? []));
    }
    if (res.destroyed) return;
    res.writeHead(upstream.status, withoutHopByHop(upstream.headers));
    res.end(upstream.body);
  }

  type Recorder = (result: { outcome: ExchangeOutcome; upstream?: Upstream }) => void;

  function recorderFor(method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer): Recorder | null {
    const key = headerValue(headers['idempotency-key']);
    if (method === 'POST' && path === '/api/sync/push') {
      const request = parseJson<{ clientId?: string; mutations?: Mutation[] }>(body);
      if (!request?.clientId || !Array.isArray(request.mutations)) return null;
      for (const mutation of request.mutations)
        for (const value of stringValues(mutation.fields)) tokensSeen.add(value);
      return ({ outcome, upstream }) => {
        const response = upstream?.status === 200 ? parseJson<PushResponse>(decodedBody(upstream)) : null;
        const sent = new Map((request.mutations as Mutation[]).map((mutation) => [mutation.seq, mutation]));
        for (const result of response?.results ?? []) {
          const mutation = sent.get(result.seq);
          if (!mutation || result.status === 'rejected' || !result.stamp) continue;
          const { version, seq } = result.stamp;
          envelopes.push({ table: mutation.table as Envelope['table'], id: mutation.recordId, version, seq });
        }
        pushes.push({
          clientId: request.clientId as string,
          mutations: request.mutations as Mutation[],
          idempotencyKey: key ?? '',
          outcome,
          status: upstream?.status ?? null,
          replayed: upstream?.headers['idempotent-replayed'] === 'true',
          response,
        });
      };
    }
    const match = REST_PATH.exec(path);
    if (!match || NOT_TABLES.has(match[1]) || !['POST', 'PATCH', 'DELETE'].includes(method)) return null;
    const request = parseJson<{ id?: string; fields?: Record<string, unknown> }>(body) ?? {};
    return ({ outcome, upstream }) => {
      const answer = upstream ? parseJson<Envelope & { current?: Envelope }>(decodedBody(upstream)) : null;
      const envelope = upstream && upstream.status < 300 ? answer : (answer?.current ?? null);
      if (envelope) envelopes.push(envelope);
      restWrites.push({
        method,
        table: match[1],
        recordId: match[2] ?? request.id ?? envelope?.id ?? null,
        idempotencyKey: key,
        fields: request.fields ?? {},
        outcome,
        status: upstream?.status ?? null,
        replayed: upstream?.headers['idempotent-replayed'] === 'true',
        envelope: upstream && upstream.status < 300 ? envelope : null,
      });
    };
  }

  function forward(req: http.IncomingMessage, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        {
          agent,
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
          // Host goes through unchanged: the server's same-origin check must see the page's origin.
          headers: { ...withoutHopByHop(req.headers), 'content-length': String(body.length) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }),
          );
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  function streamThrough(req: http.IncomingMessage, res: http.ServerResponse): void {
    const upstream = http.request(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers },
      (response) => {
        res.writeHead(response.statusCode ?? 502, withoutHopByHop(response.headers));
        res.flushHeaders();
        response.pipe(res);
        response.on('error', () => res.socket?.destroy());
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    res.on('close', () => upstream.destroy());
    upstream.end();
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pushes,
    restWrites,
    envelopes,
    sawToken: (token) => tokensSeen.has(token),
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** The string values of a fields object (tokens are whole string values). */
export function stringValues(fields: Record<string, unknown> | undefined): string[] {
  return Object.values(fields ?? {}).filter((value): value is string => typeof value === 'string');
}

function headerValue(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** An answer's body as the server meant it: larger JSON answers come gzipped to a browser. */
function decodedBody(upstream: Upstream): Buffer {
  const encoding = headerValue(upstream.headers['content-encoding']);
  if (encoding === 'gzip') return gunzipSync(upstream.body);
  if (encoding === 'br') return brotliDecompressSync(upstream.body);
  return upstream.body;
}

function parseJson<T>(body: Buffer): T | null {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    return null;
  }
}

async function readAll(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const result: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) result[name] = value;
  }
  return result;
}
