/** The password-hashing threads run at the lowest CPU priority, and derive what node:crypto derives. */

import { scryptSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scryptOnPool } from './scrypt-pool.ts';

/** The nice value of each thread of this process (Linux: field 19 of `/proc/self/task/<tid>/stat`). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('scryptOnPool', () => {
  const task = {
    password: 'correct horse',
    salt: Buffer.from('0123456789abcdef'),
    keyLength: 32,
    cost: 1024,
    blockSize: 8,
    parallelism: 1,
  };

  it('derives the key node:crypto derives', async () => {
    const key = await scryptOnPool(task);
    expect(Buffer.isBuffer(key)).toBe(true);
    expect(key.equals(scryptSync(task.password, task.salt, 32, { N: 1024, r: 8, p: 1 }))).toBe(true);
  });

  it('hashes on a thread at nice 19, leaving the event loop its priority', async () => {
    await scryptOnPool(task);
    const nice = threadNiceValues();
    expect(nice).toContain(19);
    expect(nice[0]).toBe(0);
  });
});
