/** A password-hashing thread: one scrypt derivation per task, on this (low-priority) thread. */
import { scryptSync } from 'node:crypto';

/** Plain JavaScript, so the thread starts the same under tsx, vitest and node. */
export default function derive({ password, salt, keyLength, cost, blockSize, parallelism }) {
  const options = { N: cost, r: blockSize, p: parallelism, maxmem: 256 * cost * blockSize };
  return scryptSync(password, salt, keyLength, options);
}
