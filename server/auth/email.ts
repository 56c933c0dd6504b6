/**
 * The one form of an email address the server keeps and compares: Unicode NFC, then lower
 * case, so `café` typed as one code point or as `e` + a combining accent, in any case, is
 * one account. Control and format characters are refused, never stored.
 */

const MAX_EMAIL_LENGTH = 254;
/** `x@y`: one `@`, something on each side, no spaces. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/u;
/** Control (Cc), format (Cf: zero-width and direction marks), lone surrogates (Cs), unassigned (Cn). */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Cn}]/u;

/** The normalised email, or why the input is not one. */
export function normalizeEmail(raw: unknown): { email: string } | { error: string } {
  if (typeof raw !== 'string') return { error: 'must be an email address' };
  if (INVISIBLE.test(raw)) return { error: 'must not contain control or invisible characters' };
  const email = raw.normalize('NFC').toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(email)) return { error: 'must be an email address' };
  return { email };
}
