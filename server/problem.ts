/** The one error type of the server and its problem+json rendering (RFC 9457). */
import { type FieldError, LIMITS, type Problem, type ProblemCode, problemType } from '../protocol/index.ts';

const TITLES: Record<ProblemCode, string> = {
  'invalid-request': 'Invalid request',
  'idempotency-key-missing': 'Idempotency-Key header required',
  'idempotency-key-reused': 'Idempotency-Key reused with a different request',
  'protocol-unsupported': 'Protocol version not supported',
  unauthorized: 'Authentication required',
  'client-forbidden': 'Client belongs to another user',
  forbidden: 'Forbidden',
  csrf: 'Cross-site request refused',
  'seq-gap': 'Mutation sequence gap',
  'too-large': 'Too large',
  'unsupported-media-type': 'Unsupported media type',
  'rate-limited': 'Too many requests',
  'invalid-field': 'Invalid field',
  'unknown-table': 'Unknown table',
  'not-found': 'Not found',
  'version-mismatch': 'Version mismatch',
  'cursor-expired': 'Cursor expired',
  'cursor-ahead': 'Cursor ahead of the server',
  'email-taken': 'Email already registered',
  'bad-credentials': 'Wrong email or password',
  'method-not-allowed': 'Method not allowed',
  'request-timeout': 'Request timeout',
  'too-many-connections': 'Too many connections',
  internal: 'Internal server error',
  'weak-password': 'Password too easy to guess',
  'quota-exceeded': 'Storage quota exceeded',
  'server-busy': 'Server busy',
  'database-unavailable': 'Database unavailable',
  'wrong-host': 'Wrong host',
  exists: 'Record exists',
  deleted: 'Record deleted',
  'duplicate-url': 'Duplicate link',
  'previews-off': 'Link previews are off',
};

/**
 * Builds a problem object; `extra` carries members such as `errors`, `expectedSeq`, `current`.
 * `errors` are listed while they fit in `LIMITS.problemErrorsBytes` (the first always is), and
 * `detail` then says how many there were: a body with a hundred thousand mistakes gets a short
 * answer, not one larger than itself.
 */
export function problem(status: number, code: ProblemCode, detail: string, extra?: Record<string, unknown>): Problem {
  const errors = extra?.errors as FieldError[] | undefined;
  const listed = errors === undefined ? undefined : firstErrors(errors);
  const cut = errors !== undefined && listed !== undefined && listed.length < errors.length;
  const told = cut ? `${detail} (${listed.length} of ${errors.length} errors listed)` : detail;
  return {
    type: problemType(code),
    title: TITLES[code],
    status,
    detail: told,
    code,
    ...extra,
    ...(cut ? { errors: listed } : {}),
  };
}

/** The errors that fit in the byte budget of a problem's list; at least the first. */
function firstErrors(errors: FieldError[]): FieldError[] {
  let bytes = 0;
  let count = 0;
  for (const error of errors) {
    bytes += Buffer.byteLength(JSON.stringify(error)) + 1;
    if (count > 0 && bytes > LIMITS.problemErrorsBytes) break;
    count++;
  }
  return count === errors.length ? errors : errors.slice(0, count);
}

/** Thrown anywhere in a request; the central `onError` turns it into the response. */
export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly problem: Problem;
  /** Extra response headers (Retry-After, Allow). */
  readonly headers: Record<string, string>;

  constructor(problemObject: Problem, headers: Record<string, string> = {}) {
    super(problemObject.detail);
    this.problem = problemObject;
    this.headers = headers;
  }
}

/** Shorthand: `throw fail(404, 'not-found', '…')`. */
export function fail(status: number, code: ProblemCode, detail: string, extra?: Record<string, unknown>): ProblemError {
  return new ProblemError(problem(status, code, detail, extra));
}

/** The HTTP response of a problem. */
export function problemResponse(body: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}
