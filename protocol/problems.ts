/** Problem codes (RFC 9457 `code` member) and the problem object every error uses. */

export const PROBLEM = {
  invalidRequest: 'invalid-request',
  idempotencyKeyMissing: 'idempotency-key-missing',
  idempotencyKeyReused: 'idempotency-key-reused',
  protocolUnsupported: 'protocol-unsupported',
  unauthorized: 'unauthorized',
  clientForbidden: 'client-forbidden',
  forbidden: 'forbidden',
  csrf: 'csrf',
  seqGap: 'seq-gap',
  tooLarge: 'too-large',
  unsupportedMediaType: 'unsupported-media-type',
  rateLimited: 'rate-limited',
  invalidField: 'invalid-field',
  unknownTable: 'unknown-table',
  notFound: 'not-found',
  versionMismatch: 'version-mismatch',
  cursorExpired: 'cursor-expired',
  cursorAhead: 'cursor-ahead',
  emailTaken: 'email-taken',
  badCredentials: 'bad-credentials',
  methodNotAllowed: 'method-not-allowed',
  requestTimeout: 'request-timeout',
  tooManyConnections: 'too-many-connections',
  internal: 'internal',
  /** A new password that is common or built from the email (400, with `errors`). */
  weakPassword: 'weak-password',
  /** A write that would take the account's stored fields past its quota (413). */
  quotaExceeded: 'quota-exceeded',
  /** Too much work waiting (password hashing): 503 with `Retry-After`. */
  serverBusy: 'server-busy',
  /** The database cannot be reached (PostgreSQL down or restarting): 503 with `Retry-After`. */
  databaseUnavailable: 'database-unavailable',
  /** A request for a Host other than `BURROW_PUBLIC_URL`'s (421, DNS rebinding). */
  wrongHost: 'wrong-host',
  /** REST answers of the push conflict codes (409, with the current envelope under `current`). */
  recordExists: 'exists',
  recordDeleted: 'deleted',
  duplicateUrl: 'duplicate-url',
  /** 503: this server does not fetch link previews (`BURROW_UNFURL=0`). */
  previewsOff: 'previews-off',
} as const;

export type ProblemCode = (typeof PROBLEM)[keyof typeof PROBLEM];

/** One validation error: a JSON Pointer into the body and what is wrong there. */
export interface FieldError {
  pointer: string;
  detail: string;
}

/** An RFC 9457 problem object. Extra members (expectedSeq, current, …) ride along. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: FieldError[];
  [extra: string]: unknown;
}

/** The `type` URI of a problem code; relative, so it resolves against the API's origin. */
export function problemType(code: ProblemCode): string {
  return `/docs/problems#${code}`;
}
