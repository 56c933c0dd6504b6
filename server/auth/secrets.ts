/** Session ids and API tokens: random secrets, stored only as their SHA-256. */
import { createHash, randomBytes } from 'node:crypto';

/** A fresh 256-bit secret, base64url, with an optional prefix (tokens start `burrow_`). */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** What the database keeps instead of a secret: a leaked database reveals no usable session. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
