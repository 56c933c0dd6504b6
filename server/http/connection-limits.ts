/**
 * Connection limits of the HTTP server: Node's own deadlines for a request's headers and body
 * (a late request gets a 408 problem), a cap on open connections in all, and a cap per client
 * address (more are answered 503 and closed).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerConfig } from '../config.ts';
import { problem } from '../problem.ts';

type LimitsConfig = Pick<
  ServerConfig,
  'headersTimeoutMs' | 'requestTimeoutMs' | 'maxConnections' | 'maxConnectionsPerAddress'
>;

/** How long a refused connection is told to wait before trying again. */
const RETRY_AFTER_SECONDS = 5;

/**
 * The `http.createServer` options for the deadlines. Node checks them every
 * `connectionsCheckingInterval` (30 s by default, which would stretch a 10 s deadline to 40 s).
 */
export function timeoutOptions(config: LimitsConfig) {
  const headersTimeout = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  return {
    headersTimeout,
    requestTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
  };
}

/** A raw HTTP/1.1 answer with a problem body, for sockets no request handler owns. */
function rawProblem(status: number, reason: string, body: object, headers: Record<string, string> = {}): string {
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${reason}`,
    'content-type: application/problem+json',
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${text}`;
}

const REQUEST_TIMEOUT = rawProblem(
  408,
  'Request Timeout',
  problem(408, 'request-timeout', 'The request did not arrive in time; nothing was done.'),
);
const TOO_MANY_CONNECTIONS = rawProblem(
  503,
  'Service Unavailable',
  problem(503, 'too-many-connections', 'Too many open connections from your address; try again later.'),
  { 'retry-after': String(RETRY_AFTER_SECONDS) },
);
const BAD_REQUEST = rawProblem(400, 'Bad Request', problem(400, 'invalid-request', 'The request is not valid HTTP.'));

/**
 * Answers what Node's parser refuses before a handler runs: a request past its deadline gets
 * a 408 problem, malformed HTTP a 400 problem; either way the connection closes. Node's own
 * answers are plain text.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (socket.writable && socket.bytesWritten === 0 && error.code !== 'ECONNRESET') {
    socket.write(error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? REQUEST_TIMEOUT : BAD_REQUEST);
  }
  socket.destroy();
}

/** Counts open connections per client address and refuses those over the cap. */
function capPerAddress(server: Server, cap: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    // An IPv4 client of a server on `::` shows as ::ffff:a.b.c.d; count it as a.b.c.d.
    const address = (socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
    const count = (open.get(address) ?? 0) + 1;
    if (count > cap) {
      // Written and closed before the parser reads a byte, so no handler runs for it.
      socket.write(TOO_MANY_CONNECTIONS);
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/** Applies the limits that are not `createServer` options to a listening-to-be server. */
export function limitConnections(server: Server, config: LimitsConfig): void {
  server.on('clientError', answerClientError);
  if (config.maxConnections > 0) server.maxConnections = config.maxConnections;
  if (config.maxConnectionsPerAddress > 0) capPerAddress(server, config.maxConnectionsPerAddress);
}
