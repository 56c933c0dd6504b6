/** HTTP as an attacker sends it: from a chosen loopback address, one connection per request, read or not. */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

/** The loopback addresses the attacker spreads over (all of 127.0.0.0/8 reaches the server). */
export const ATTACKER_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

export interface RawOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  localAddress?: string;
  /** Leave the answer unread (its connection stays open until `destroy`). */
  unread?: boolean;
}

export interface RawAnswer {
  status: number;
  text: string;
  /** The answer's size in bytes as sent (unread answers: what had arrived). */
  bytes: number;
  /** Closes the connection (for unread answers). */
  destroy(): void;
}

/** One request on its own connection; a network error is an answer with status 0. */
export function rawRequest(baseUrl: string, path: string, options: RawOptions = {}): Promise<RawAnswer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.localAddress,
        agent: false,
      },
      (response: IncomingMessage) => {
        const declared = Number(response.headers['content-length'] ?? 0);
        if (options.unread) {
          resolve({ status: response.statusCode ?? 0, text: '', bytes: declared, destroy: () => request.destroy() });
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            text: body.toString('utf8'),
            bytes: body.length,
            destroy: () => request.destroy(),
          });
        });
        response.on('error', () => resolve({ status: 0, text: '', bytes: 0, destroy: () => {} }));
      },
    );
    request.on('error', () => resolve({ status: 0, text: '', bytes: 0, destroy: () => {} }));
    request.end(options.body);
  });
}

/** A raw TCP connection; resolves once connected (or with null when refused). */
export function openSocket(baseUrl: string, localAddress: string): Promise<Socket | null> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(null));
    // Read what the server says (a 503 or a 408) so its close is seen.
    socket.on('data', () => {});
  });
}
