/** A loopback HTTP proxy in front of the server that injects delivery faults request by request. */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to a request a rule matched. */
export type FaultAction =
  /** Forward, let the server commit and answer, then destroy the client socket unanswered. */
  | { kind: 'drop-after-commit' }
  /** Answer without forwarding: a problem+json error, with `Retry-After` when given. */
  | { kind: 'status'; status: 500 | 502 | 503 | 429; retryAfterSeconds?: number }
  /** Hold the request before forwarding (`request`) or the response before answering (`response`). */
  | { kind: 'delay'; ms: number; at: 'request' | 'response' }
  /** Forward the request twice in sequence; the client gets the second answer. */
  | { kind: 'duplicate' };

export interface FaultRule {
  method?: string;
  /** Matched against the path without the query string. */
  path?: string | RegExp;
  action: FaultAction;
  /** How many matching requests this rule takes; unlimited when absent. */
  times?: number;
}

/** One request the proxy saw, with what it did. */
export interface ProxyLogEntry {
  method: string;
  path: string;
  /** The query string, without its `?` ('' for none). */
  query: string;
  fault: FaultAction['kind'] | null;
  /** The status the server answered, or null when it never answered (down, or not forwarded). */
  upstreamStatus: number | null;
}

/** A file the proxy serves itself instead of forwarding (for pages of benchmark baselines). */
export interface StaticFile {
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export interface FaultProxy {
  /** The origin pages use, e.g. `http://127.0.0.1:41234`; stable across server restarts. */
  readonly url: string;
  /** Points the proxy at another server (after a restart on a new port). */
  setTarget(url: string): void;
  /** Adds a rule; rules are tried in order, the first match wins. */
  addRule(rule: FaultRule): void;
  clearRules(): void;
  /** Serves `path` from memory instead of forwarding it. */
  serveStatic(path: string, file: StaticFile): void;
  readonly log: readonly ProxyLogEntry[];
  close(): Promise<void>;
}

interface ActiveRule extends FaultRule {
  used: number;
}

interface UpstreamResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

// Hop-by-hop headers are the proxy's own business, never forwarded (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']);

/**
 * Starts the proxy on 127.0.0.1 (a free port) in front of `target`. The `Host` header is
 * forwarded unchanged, so the server sees the proxy's origin and same-origin checks (CSRF)
 * behave as for a page served by the server itself. A server that is down makes the proxy
 * destroy the client socket: the page sees a network error, as it would without the proxy.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let targetUrl = new URL(target);
  const rules: ActiveRule[] = [];
  const statics = new Map<string, StaticFile>();
  const log: ProxyLogEntry[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const server = http.createServer((req, res) => {
    void handle(req, res);
  });

  function takeRule(method: string, path: string): FaultAction | null {
    for (const rule of rules) {
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (rule.method && rule.method !== method) continue;
      if (typeof rule.path === 'string' && rule.path !== path) continue;
      if (rule.path instanceof RegExp && !rule.path.test(path)) continue;
      rule.used++;
      return rule.action;
    }
    return null;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    const staticFile = statics.get(path);
    if (staticFile) {
      res.writeHead(200, {
        'content-type': staticFile.contentType,
        'cache-control': 'no-cache',
        ...staticFile.headers,
      });
      res.end(staticFile.body);
      return;
    }
    const fault = takeRule(method, path);
    const query = (req.url ?? '').split('?')[1] ?? '';
    const entry: ProxyLogEntry = { method, path, query, fault: fault?.kind ?? null, upstreamStatus: null };
    log.push(entry);
    try {
      if (fault?.kind === 'status') {
        await drain(req);
        answerProblem(res, fault.status, fault.retryAfterSeconds);
        return;
      }
      if (isEventStream(req)) {
        await streamThrough(req, res, entry);
        return;
      }
      const body = await drain(req);
      if (fault?.kind === 'delay' && fault.at === 'request') await sleep(fault.ms);
      if (fault?.kind === 'duplicate') await forward(req, body);
      const upstream = await forward(req, body);
      entry.upstreamStatus = upstream.status;
      if (fault?.kind === 'drop-after-commit') {
        res.socket?.destroy();
        return;
      }
      if (fault?.kind === 'delay' && fault.at === 'response') await sleep(fault.ms);
      res.writeHead(upstream.status, withoutHopByHop(upstream.headers));
      res.end(upstream.body);
    } catch {
      // The server is down or went away mid-request: the page must see a network error.
      res.socket?.destroy();
    }
  }

  function forward(req: http.IncomingMessage, body: Buffer): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        {
          agent,
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
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

  // Server-sent events must flow as they come, not after the (never-ending) body.
  function streamThrough(req: http.IncomingMessage, res: http.ServerResponse, entry: ProxyLogEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers },
        (response) => {
          entry.upstreamStatus = response.statusCode ?? null;
          res.writeHead(response.statusCode ?? 502, withoutHopByHop(response.headers));
          res.flushHeaders();
          response.pipe(res);
          response.on('error', () => res.socket?.destroy());
          response.on('end', resolve);
        },
      );
      upstream.on('error', reject);
      res.on('close', () => upstream.destroy());
      upstream.end();
    });
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setTarget(url) {
      targetUrl = new URL(url);
    },
    addRule(rule) {
      rules.push({ ...rule, used: 0 });
    },
    clearRules() {
      rules.length = 0;
    },
    serveStatic(path, file) {
      statics.set(path, file);
    },
    log,
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isEventStream(req: http.IncomingMessage): boolean {
  return req.headers.accept?.includes('text/event-stream') === true;
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const result: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) result[name] = value;
  }
  return result;
}

async function drain(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function answerProblem(res: http.ServerResponse, status: number, retryAfterSeconds?: number): void {
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/problem+json' };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  const code = status === 429 ? 'rate-limited' : 'internal';
  res.writeHead(status, headers);
  res.end(
    JSON.stringify({ type: `/docs/problems#${code}`, title: 'Injected fault', status, detail: 'fault proxy', code }),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
