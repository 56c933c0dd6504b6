/**
 * Whether an error means the database cannot be reached right now (PostgreSQL stopped,
 * restarting or recovering, a connection terminated or refused), as opposed to a bug: the
 * central error handler answers those with 503 `database-unavailable` and `Retry-After`, and
 * clients send the same request again later. SQLite, a file in the process, never throws them.
 */

/** Socket errors of a connection to the database, and the `postgres` driver's own connection codes. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * PostgreSQL SQLSTATEs of a server going away or not yet back: class 08 (connection exception),
 * 57P01 admin shutdown (`pg_terminate_backend`, a fast stop), 57P02 crash shutdown (another
 * backend crashed, or `-m immediate`), 57P03 cannot connect now (starting up, recovering), 53300
 * too many connections.
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

function isUnavailableCode(code: unknown): boolean {
  if (typeof code !== 'string') return false;
  return CONNECTION_CODES.has(code) || UNAVAILABLE_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code);
}

/** True when `error` (or an error it wraps, through `cause` or an AggregateError's `errors`) is one of those. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (isUnavailableCode(code)) return true;
  if (cause !== undefined && isDatabaseUnavailable(cause, depth + 1)) return true;
  return Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1));
}
