/** The Idempotency-Key header: parsing (sf-string or bare token) and the request fingerprint. */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { LIMITS } from '../../protocol/index.ts';
import { fail } from '../problem.ts';
import type { IdempotencyInput } from '../storage/store.ts';

const QUOTED = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;
/** A bare key: visible ASCII without quotes, commas or semicolons (UUIDs included). */
const BARE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x7e]+$/;

/** The key's value, or null when the header is malformed. */
export function parseIdempotencyKey(header: string): string | null {
  const trimmed = header.trim();
  const quoted = QUOTED.exec(trimmed);
  const key = quoted ? quoted[1].replace(/\\(["\\])/g, '$1') : BARE.test(trimmed) ? trimmed : null;
  return key !== null && key.length >= 1 && key.length <= LIMITS.idempotencyKeyMaxLength ? key : null;
}

/**
 * The key and fingerprint of a write. The fingerprint covers method and path as well as the
 * body, so one key reused on another record or endpoint is a 422, never a wrong replay.
 */
export function idempotencyOf(c: Context, rawBody: string, required: boolean): IdempotencyInput | undefined {
  const header = c.req.header('idempotency-key');
  if (header === undefined) {
    if (required) throw fail(400, 'idempotency-key-missing', 'This request needs an Idempotency-Key header.');
    return undefined;
  }
  const key = parseIdempotencyKey(header);
  if (key === null) {
    throw fail(400, 'invalid-request', 'Idempotency-Key must be a token or a quoted string of 1–255 characters.');
  }
  const fingerprint = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${rawBody}`).digest('hex');
  return { key, fingerprint };
}
