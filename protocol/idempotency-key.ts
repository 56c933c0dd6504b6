/** The Idempotency-Key format: the key a client sends for a push, and what the server accepts. */
import { LIMITS } from './limits.ts';

/**
 * A push's key, `<clientId>.<firstSeq>.<lastSeq>` (and `.<salt>` when that key was already used
 * for another body): entries never change once sent, so a resend of the same range has the same
 * body and the server replays its stored answer; a different range is a different key.
 */
export function pushIdempotencyKey(clientId: string, firstSeq: number, lastSeq: number, salt?: string): string {
  return salt ? `${clientId}.${firstSeq}.${lastSeq}.${salt}` : `${clientId}.${firstSeq}.${lastSeq}`;
}

/** A quoted sf-string: visible ASCII and spaces, `"` and `\` escaped. */
const QUOTED = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;
/** A bare key: visible ASCII without quotes, commas or semicolons (UUIDs included). */
const BARE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x7e]+$/;

/**
 * The key an `Idempotency-Key` header carries, or null when the header is malformed: a quoted
 * sf-string or a bare token, 1 to `LIMITS.idempotencyKeyMaxLength` characters once unquoted.
 */
export function parseIdempotencyKey(header: string): string | null {
  const trimmed = header.trim();
  const quoted = QUOTED.exec(trimmed);
  const key = quoted ? quoted[1].replace(/\\(["\\])/g, '$1') : BARE.test(trimmed) ? trimmed : null;
  return key !== null && key.length >= 1 && key.length <= LIMITS.idempotencyKeyMaxLength ? key : null;
}
