/**
 * Connection limits over real sockets on loopback: idle connections and late headers are cut,
 * a body that arrives too slowly gets a 408 problem and changes nothing, and one address may
 * hold only so many connections.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type ListeningServer, send, startListeningServer } from '../test-support/listening-server.ts';

let server: ListeningServer;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server.stop();
});

/** A raw connection that records what it receives; `closed` settles when the server lets go. */
interface RawConnection {
  socket: Socket;
  received(): string;
  closed: Promise<string>;
}

function rawConnection(localAddress = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: server.port, localAddress });
    sockets.push(socket);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    const closed = new Promise<string>((done) => socket.once('close', () => done(text)));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** The body of a raw HTTP answer, parsed as JSON. */
function bodyOf(answer: string): Record<string, unknown> {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
}

describe('deadlines', () => {
  it('closes a connection that sends nothing within BURROW_HEADERS_TIMEOUT_MS', async () => {
    server = await startListeningServer({ BURROW_HEADERS_TIMEOUT_MS: '300' });
    const idle = await rawConnection();
    await idle.closed;
    const half = await rawConnection();
    half.socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n');
    expect(await half.closed).toMatch(/^HTTP\/1\.1 408/);
  });

  it('answers a body dripped past BURROW_REQUEST_TIMEOUT_MS with a 408 problem, and does nothing', async () => {
    server = await startListeningServer({ BURROW_REQUEST_TIMEOUT_MS: '600' });
    const body = JSON.stringify({ email: 'slow@example.test', password: 'correct horse battery' });
    const slow = await rawConnection();
    slow.socket.write(
      `POST /api/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    let sent = 0;
    const drip = setInterval(() => {
      if (slow.socket.writable && sent < body.length - 1) slow.socket.write(body[sent++]);
    }, 50);
    const answer = await slow.closed;
    clearInterval(drip);

    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(bodyOf(answer)).toMatchObject({ status: 408, code: 'request-timeout' });
    expect(sent).toBeLessThan(body.length - 1);
    // Nothing was created: the same signup, sent whole, succeeds.
    const whole = await send(server, '/api/auth/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(whole.status).toBe(201);
  });
});

describe('connections per address', () => {
  it('refuses connections past BURROW_MAX_CONNECTIONS_PER_ADDRESS with a 503 problem, per address', async () => {
    server = await startListeningServer({ BURROW_MAX_CONNECTIONS_PER_ADDRESS: '2', BURROW_HEADERS_TIMEOUT_MS: '1000' });
    const first = await rawConnection();
    const second = await rawConnection();
    const refused = await rawConnection();
    const answer = await refused.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toMatch(/retry-after: \d+/i);
    expect(bodyOf(answer)).toMatchObject({ status: 503, code: 'too-many-connections' });

    // Another address is counted apart.
    expect((await send(server, '/api/health', { localAddress: '127.0.0.2' })).status).toBe(200);

    // When the server has closed the idle ones (headers deadline), the address may connect again.
    await first.closed;
    await second.closed;
    expect((await send(server, '/api/health')).status).toBe(200);
  });

  it('drops connections past BURROW_MAX_CONNECTIONS in all, whatever their address', async () => {
    server = await startListeningServer({ BURROW_MAX_CONNECTIONS: '2', BURROW_MAX_CONNECTIONS_PER_ADDRESS: '0' });
    await rawConnection('127.0.0.1');
    await rawConnection('127.0.0.2');
    const dropped = await rawConnection('127.0.0.3');
    expect(await dropped.closed).toBe('');
  });
});
