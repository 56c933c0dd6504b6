/**
 * The well-behaved side of the abuse run: clients running the load loop (tests/load), a health
 * probe, and the server's memory, each recorded into the phase that is running.
 */
import { readFileSync } from 'node:fs';
import { LIMITS, type Mutation, type PullResponse, type PushResponse } from '../../../protocol/index.ts';
import type { LoadClient, LoadResponse } from '../../load/load-client.ts';

/** What one phase (the quiet baseline or an attack) measured. */
export interface PhaseTally {
  push: number[];
  pull: number[];
  health: number[];
  /** Honest requests that did not get their 200 (status, or a network error). */
  honestErrors: string[];
  /** Any 5xx answer, to anyone, attacker included. */
  serverErrors: number;
  peakRssBytes: number;
  /** When the phase began, and how long it ran (an attack may outlast the phase's length). */
  startedAt: number;
  durationMs: number;
}

export function newTally(): PhaseTally {
  const startedAt = performance.now();
  return {
    push: [],
    pull: [],
    health: [],
    honestErrors: [],
    serverErrors: 0,
    peakRssBytes: 0,
    startedAt,
    durationMs: 0,
  };
}

/** Which tally the loops write into; the run switches it between phases. */
export interface PhaseSlot {
  current: PhaseTally;
  running: boolean;
}

const BATCH = 20;
const RETRY_MS = 1000;
const HEALTH_EVERY_MS = 100;
const RSS_EVERY_MS = 100;

/** Times a request; a network error is status 0. */
async function timed(run: () => Promise<LoadResponse>): Promise<{ ms: number; status: number; body: unknown }> {
  const started = performance.now();
  try {
    const response = await run();
    return { ms: performance.now() - started, status: response.status, body: response.body };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return { ms: performance.now() - started, status: 0, body: `${String(error)}${cause}` };
  }
}

function describe(what: string, answer: { status: number; body: unknown }): string {
  return `${what} ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`;
}

/** Answers after which a device sends the same batch again, with the same key. */
function isTransient(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/**
 * One client's load loop (push a batch of its own cards, then pull), one round every `roundMs`
 * (at once when a round took longer; 0: no pause at all), until the run stops. A push that fails
 * transiently is sent again with the same Idempotency-Key, as a device does (each failure still
 * counts as an honest error); any other refusal ends the client.
 */
export async function honestLoop(client: LoadClient, slot: PhaseSlot, roundMs: number): Promise<void> {
  let nextRound = performance.now();
  while (slot.running) {
    const wait = nextRound - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    nextRound = Math.max(nextRound + roundMs, performance.now());
    const mutations: Mutation[] = [];
    for (let i = 0; i < BATCH; i++) mutations.push(client.nextMutation());
    const idempotencyKey = `${client.clientId}.${mutations[0].seq}.${mutations.at(-1)!.seq}`;
    let push: { ms: number; status: number; body: unknown };
    for (;;) {
      push = await timed(() =>
        client.request('POST', '/api/sync/push', {
          body: { protocol: 1, clientId: client.clientId, mutations },
          idempotencyKey,
        }),
      );
      slot.current.push.push(push.ms);
      if (push.status >= 500) slot.current.serverErrors += 1;
      if (push.status === 200) break;
      slot.current.honestErrors.push(describe('push', push));
      if (!isTransient(push.status) || !slot.running) return;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    client.acknowledge(mutations, push.body as PushResponse);
    const pull = await timed(() =>
      client.request('GET', `/api/sync/pull?cursor=${client.cursor}&limit=${LIMITS.pullMaxLimit}`),
    );
    slot.current.pull.push(pull.ms);
    if (pull.status >= 500) slot.current.serverErrors += 1;
    if (pull.status !== 200) {
      slot.current.honestErrors.push(describe('pull', pull));
      continue;
    }
    client.cursor = (pull.body as PullResponse).cursor;
  }
}

/** Asks `/api/health` every 100 ms, one at a time, until the run stops. */
export async function healthLoop(baseUrl: string, slot: PhaseSlot): Promise<void> {
  while (slot.running) {
    const health = await timed(async () => {
      const response = await fetch(`${baseUrl}/api/health`);
      return { status: response.status, body: await response.text() };
    });
    slot.current.health.push(health.ms);
    if (health.status >= 500) slot.current.serverErrors += 1;
    if (health.status !== 200) slot.current.honestErrors.push(describe('health', health));
    await new Promise((resolve) => setTimeout(resolve, HEALTH_EVERY_MS));
  }
}

/** The resident set size of a process, from /proc (bytes). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status);
  return kib ? Number(kib[1]) * 1024 : 0;
}

/** Samples the server's RSS every 100 ms into the running phase's peak. */
export function watchMemory(pid: number, slot: PhaseSlot): () => void {
  const timer = setInterval(() => {
    try {
      slot.current.peakRssBytes = Math.max(slot.current.peakRssBytes, residentBytes(pid));
    } catch {
      // The server is gone; the phase reports what it saw.
    }
  }, RSS_EVERY_MS);
  return () => clearInterval(timer);
}
