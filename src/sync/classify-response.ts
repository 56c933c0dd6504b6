/** What an HTTP answer of the sync endpoints means for the loops: every status code, one kind. */
import { PROBLEM, type Problem } from '../../protocol/index.ts';

/**
 * Kinds of a push answer. `transient` is retried with backoff forever; `blocked` is a
 * whole-request refusal no mutation is to blame for (wrong origin, endpoint missing, protocol
 * too new): also retried on the backoff schedule, never dropped, shown as an error.
 */
export type PushResponseKind =
  | { kind: 'ok' }
  | { kind: 'transient'; reason: string; retryAfterMs: number | null }
  | { kind: 'unauthorized' }
  | { kind: 'seq-gap'; expectedSeq: number }
  | { kind: 'client-forbidden' }
  | { kind: 'too-large'; problem: Problem }
  | { kind: 'bad-request'; problem: Problem }
  | { kind: 'key-reused' }
  | { kind: 'blocked'; reason: string };

export type PullResponseKind =
  | { kind: 'ok' }
  | { kind: 'transient'; reason: string; retryAfterMs: number | null }
  | { kind: 'unauthorized' }
  | { kind: 'resync'; code: string }
  | { kind: 'blocked'; reason: string };

/** The parts of a response the classification looks at (the body only when it is a problem). */
export interface ResponseFacts {
  status: number;
  problem: Problem | null;
  retryAfterMs: number | null;
}

/**
 * Statuses that say "not now": request timeout, too early, rate limited, and every server
 * error. The request itself may be fine, so it is sent again later, unchanged.
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

function describe(facts: ResponseFacts): string {
  const code = facts.problem?.code ? ` ${facts.problem.code}` : '';
  return `HTTP ${facts.status}${code}`;
}

/** The status a reason `describe` made names (an entry's `lastError`, a failed pull's), or null. */
function statusOfReason(reason: string | null | undefined): number | null {
  const match = /^HTTP (\d{3})\b/.exec(reason ?? '');
  return match ? Number(match[1]) : null;
}

/**
 * Whether `reason` says the server is away for now: a server error or a gateway's, a timeout
 * status. Nothing the person can do but wait, and nothing of theirs is at risk: no error.
 */
export function isServerAwayReason(reason: string | null | undefined): boolean {
  const status = statusOfReason(reason);
  return status !== null && status !== 429 && isTransientStatus(status);
}

/** Whether `reason` says the server asked this device to slow down (429): it paces the sync. */
export function isThrottledReason(reason: string | null | undefined): boolean {
  return statusOfReason(reason) === 429;
}

/** A problem object for a refusal whose body was not problem+json (a proxy's HTML page, say). */
export function problemFromStatus(
  status: number,
  problem: Problem | null,
  detail = `The server answered ${status} without a problem body.`,
): Problem {
  return (
    problem ?? {
      type: 'about:blank',
      title: `HTTP ${status}`,
      status,
      detail,
      code: status === 413 ? PROBLEM.tooLarge : PROBLEM.invalidRequest,
    }
  );
}

/** Classifies an answer of `POST /api/sync/push` (a network error or timeout never gets here). */
export function classifyPushResponse(facts: ResponseFacts): PushResponseKind {
  const { status, problem } = facts;
  if (status === 200) return { kind: 'ok' };
  if (isTransientStatus(status))
    return { kind: 'transient', reason: describe(facts), retryAfterMs: facts.retryAfterMs };
  switch (status) {
    case 400:
      // These two are about the client program or the server version, not about any mutation:
      // isolating would move every mutation to `failed` one by one.
      if (problem?.code === PROBLEM.protocolUnsupported || problem?.code === PROBLEM.idempotencyKeyMissing) {
        return { kind: 'blocked', reason: describe(facts) };
      }
      return { kind: 'bad-request', problem: problemFromStatus(status, problem) };
    case 401:
      return { kind: 'unauthorized' };
    case 403:
      if (problem?.code === PROBLEM.clientForbidden) return { kind: 'client-forbidden' };
      return { kind: 'blocked', reason: describe(facts) };
    case 409: {
      const expected = problem?.expectedSeq;
      if (problem?.code === PROBLEM.seqGap && Number.isSafeInteger(expected) && (expected as number) >= 1) {
        return { kind: 'seq-gap', expectedSeq: expected as number };
      }
      return { kind: 'blocked', reason: describe(facts) };
    }
    case 413:
      return { kind: 'too-large', problem: problemFromStatus(status, problem) };
    case 422:
      if (problem?.code === PROBLEM.idempotencyKeyReused) return { kind: 'key-reused' };
      return { kind: 'bad-request', problem: problemFromStatus(status, problem) };
    default:
      // 1xx/2xx other than 200/3xx/other 4xx: nothing a mutation did; keep it and show the error.
      return { kind: 'blocked', reason: describe(facts) };
  }
}

/** Classifies an answer of `GET /api/sync/pull`. */
export function classifyPullResponse(facts: ResponseFacts): PullResponseKind {
  const { status, problem } = facts;
  if (status === 200) return { kind: 'ok' };
  if (isTransientStatus(status))
    return { kind: 'transient', reason: describe(facts), retryAfterMs: facts.retryAfterMs };
  if (status === 401) return { kind: 'unauthorized' };
  if (status === 410 || (status === 409 && problem?.code === PROBLEM.cursorAhead)) {
    return { kind: 'resync', code: problem?.code ?? `HTTP ${status}` };
  }
  return { kind: 'blocked', reason: describe(facts) };
}
