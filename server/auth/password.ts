/** Password hashing with scrypt (memory-hard, from node:crypto), a per-user salt, constant-time compare. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { scryptOnPool } from './scrypt-pool.ts';

const KEY_LENGTH = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

function derive(password: string, salt: Buffer, cost: number): Promise<Buffer> {
  const task = { salt, cost, keyLength: KEY_LENGTH, blockSize: BLOCK_SIZE, parallelism: PARALLELISM };
  return scryptOnPool({ ...task, password: password.normalize('NFC') });
}

/** `scrypt$N$r$p$salt$hash` (base64url), so a later cost change still verifies old hashes. */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` matches `stored`; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, cost, , , salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), Number(cost));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
