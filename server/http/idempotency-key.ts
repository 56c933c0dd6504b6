/** The Idempotency-Key of a request: its key (format in `protocol/idempotency-key.ts`) and the request fingerprint. */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { parseIdempotencyKey } from '../../protocol/index.ts';
import { fail } from '../problem.ts';
import type { IdempotencyInput } from '../storage/store.ts';

/**
 * The key and fingerprint of a write. The fingerprint covers method, path and query as well as
 * the body, so one key reused on another record or endpoint, or on a DELETE that purges, is a
 * 422, never a wrong replay. (Without a query the fingerprint is what it always was.)
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
  const { search } = new URL(c.req.url);
  const fingerprint = createHash('sha256').update(`${c.req.method} ${c.req.path}${search}\n${rawBody}`).digest('hex');
  return { key, fingerprint };
}
