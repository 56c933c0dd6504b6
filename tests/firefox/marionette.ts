/**
 * A Firefox started for tests with Marionette beside WebDriver BiDi: Marionette opens the session
 * (a classic one, whose chrome context runs privileged script) and puppeteer drives that same
 * session over BiDi. Firefox 140 ESR's BiDi has no chrome scope (`moz:scope` came later), and a
 * session puppeteer opened itself lacks what Marionette's script execution needs (its timeouts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Browser as BrowserKind, createProfile } from '@puppeteer/browsers';
import puppeteer, { type Browser, type ConnectionTransport } from 'puppeteer-core';
import { NodeWebSocketTransport } from 'puppeteer-core/internal/node/NodeWebSocketTransport.js';
import { waitFor } from '../support/browser.ts';

export interface MarionetteFirefox {
  browser: Browser;
  /** Runs `script` (a function body; `return` gives the value) in the chrome context. */
  inChrome(script: string): Promise<unknown>;
  /** Quits Firefox and waits for its process to end. */
  quit(): Promise<void>;
}

/** Marionette's wire: `<length>:<json>`, commands `[0, id, name, params]`, answers `[1, id, error, result]`. */
class MarionetteClient {
  private buffer = Buffer.alloc(0);
  private nextId = 0;
  private readonly waiting = new Map<number, (answer: [number, number, unknown, unknown]) => void>();
  private hello: ((value: unknown) => void) | null = null;
  readonly ready: Promise<unknown>;

  constructor(private readonly socket: net.Socket) {
    this.ready = new Promise((resolve) => {
      this.hello = resolve;
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  async send(name: string, params: Record<string, unknown>): Promise<unknown> {
    const id = ++this.nextId;
    const body = JSON.stringify([0, id, name, params]);
    const answer = new Promise<[number, number, unknown, unknown]>((resolve) => this.waiting.set(id, resolve));
    this.socket.write(`${Buffer.byteLength(body)}:${body}`);
    const [, , error, result] = await answer;
    if (error) throw new Error(`Marionette ${name}: ${JSON.stringify(error).slice(0, 500)}`);
    return result;
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(this.buffer.subarray(0, colon).toString('utf8'));
      if (this.buffer.length < colon + 1 + length) return;
      const message = JSON.parse(this.buffer.subarray(colon + 1, colon + 1 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(colon + 1 + length);
      if (this.hello) {
        this.hello(message);
        this.hello = null;
      } else {
        const [, id] = message as [number, number];
        this.waiting.get(id)?.(message);
        this.waiting.delete(id);
      }
    }
  }
}

/**
 * Puppeteer always asks for a new session; the session is Marionette's, already open: its
 * `session.new` is answered here with that session, everything else goes to Firefox.
 */
class ExistingSessionTransport implements ConnectionTransport {
  onmessage?: (message: string) => void;
  onclose?: () => void;

  constructor(
    private readonly inner: NodeWebSocketTransport,
    private readonly session: { sessionId: string; capabilities: Record<string, unknown> },
  ) {
    inner.onmessage = (message) => this.onmessage?.(message.toString());
    inner.onclose = () => this.onclose?.();
  }

  send(message: string): void {
    const command = JSON.parse(message) as { id: number; method: string };
    if (command.method === 'session.new') {
      const answer = { type: 'success', id: command.id, result: this.session };
      setImmediate(() => this.onmessage?.(JSON.stringify(answer)));
      return;
    }
    this.inner.send(message);
  }

  close(): void {
    this.inner.close();
  }
}

function readPort(file: string): number | null {
  try {
    const port = Number(readFileSync(file, 'utf8').trim());
    return port > 0 ? port : null;
  } catch {
    return null;
  }
}

/** Starts Firefox on `profileDir` (its prefs written to user.js) and attaches puppeteer and Marionette. */
export async function launchMarionetteFirefox(
  executablePath: string,
  profileDir: string,
  preferences: Record<string, unknown>,
): Promise<MarionetteFirefox> {
  await createProfile(BrowserKind.FIREFOX, {
    path: profileDir,
    preferences: { ...preferences, 'marionette.port': 0 },
  });
  const portFile = join(profileDir, 'MarionetteActivePort');
  writeFileSync(portFile, '');
  const child: ChildProcess = spawn(
    executablePath,
    [
      '--headless',
      '--no-remote',
      '--profile',
      profileDir,
      '--marionette',
      '--remote-debugging-port=0',
      '--remote-allow-system-access',
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = once(child, 'exit');
  try {
    const port = await waitFor(() => readPort(portFile), { timeoutMs: 60_000, message: 'Firefox to open Marionette' });
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const marionette = new MarionetteClient(socket);
    await marionette.ready;
    const session = (await marionette.send('WebDriver:NewSession', { webSocketUrl: true })) as {
      sessionId: string;
      capabilities: Record<string, unknown>;
    };
    await marionette.send('Marionette:SetContext', { value: 'chrome' });
    const inner = await NodeWebSocketTransport.create(String(session.capabilities.webSocketUrl));
    const browser = await puppeteer.connect({
      transport: new ExistingSessionTransport(inner, session),
      protocol: 'webDriverBiDi',
      defaultViewport: null,
    });
    return {
      browser,
      inChrome: (script) =>
        marionette
          .send('WebDriver:ExecuteScript', { script, args: [] })
          .then((result) => (result as { value: unknown }).value),
      async quit() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        // A Firefox that does not end in 10 s (hung, or deaf to Quit) is killed.
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        // Marionette owns the session: its Quit ends Firefox at once (puppeteer's close ends only
        // the BiDi connection, and Firefox then lingered until the kill, 10 s a device). Its
        // answer is not awaited: a hung Firefox never sends one.
        browser.disconnect().catch(() => undefined);
        marionette.send('Marionette:Quit', { flags: ['eForceQuit'] }).catch(() => undefined);
        await exited;
        clearTimeout(timer);
        marionette.close();
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
