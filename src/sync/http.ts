/** One JSON request of the sync loops: timeout, problem bodies, `Retry-After`; never rejects. */
import type { Problem } from '../../protocol/index.ts';
import { parseRetryAfter } from './backoff.ts';
import type { Timers } from './timers.ts';

/** What the sync loops need to talk HTTP. */
export interface HttpDeps {
  fetch: typeof fetch;
  now(): number;
  timers: Timers;
  /** Prefix of API paths ('' in the app: same origin). */
  baseUrl?: string;
  /** How long one request (headers and body) may take before it counts as a network failure. */
  timeoutMs?: number;
}

export type HttpAnswer =
  | { kind: 'response'; status: number; body: unknown; problem: Problem | null; retryAfterMs: number | null }
  | { kind: 'network-error'; reason: string };

export const DEFAULT_TIMEOUT_MS = 30_000;

const NETWORK_ERROR = 'network error: ';
const TIMEOUT = 'timeout after ';

/**
 * Whether `reason` (a `network-error` answer's, as stored on an entry or a failed pull) says the
 * server could not be reached at all: no answer, not a refusal. Made here, where those reasons are.
 */
export function isUnreachableReason(reason: string | null | undefined): boolean {
  return typeof reason === 'string' && (reason.startsWith(NETWORK_ERROR) || reason.startsWith(TIMEOUT));
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as Problem).code === 'string';
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    // A proxy's HTML error page: the status alone decides.
    return null;
  }
}

/**
 * Sends a request and reads its JSON body under one timeout. Network failures, aborts and
 * timeouts become `network-error`; every HTTP status becomes `response`.
 */
export async function requestJson(deps: HttpDeps, path: string, init: RequestInit): Promise<HttpAnswer> {
  const controller = new AbortController();
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timedOut = false;
  const timer = deps.timers.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const response = await deps.fetch(`${deps.baseUrl ?? ''}${path}`, {
      credentials: 'same-origin',
      ...init,
      signal: controller.signal,
    });
    const body = await readBody(response);
    return {
      kind: 'response',
      status: response.status,
      body,
      problem: response.ok || !isProblem(body) ? null : body,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), deps.now()),
    };
  } catch (error) {
    const reason = timedOut ? `${TIMEOUT}${timeoutMs} ms` : `${NETWORK_ERROR}${(error as Error)?.message ?? error}`;
    return { kind: 'network-error', reason };
  } finally {
    deps.timers.clearTimeout(timer);
  }
}
