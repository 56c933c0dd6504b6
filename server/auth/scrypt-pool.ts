/**
 * scrypt on threads at the lowest CPU priority (piscina's `niceIncrement`, through its optional
 * `@napi-rs/nice`): password hashing takes only the CPU that requests leave idle. On libuv's
 * pool at normal priority, a sign-up flood's hashes shared the two cores with the event loop
 * as equals, and every honest request waited its turn. The priority is per thread on Linux.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

export interface ScryptTask {
  password: string;
  salt: Buffer;
  keyLength: number;
  cost: number;
  blockSize: number;
  parallelism: number;
}

/** Highest nice value: the kernel runs these threads only when nothing else wants the core. */
const LOWEST_PRIORITY = 19;
/** A thread stays this long after its last hash, so a burst of sign-ins starts no new threads. */
const IDLE_THREAD_MS = 30_000;

let pool: Piscina<ScryptTask, Uint8Array> | undefined;

/** The derived key; one pool per process (`HashQueue` bounds how many run at once per server). */
export async function scryptOnPool(task: ScryptTask): Promise<Buffer> {
  pool ??= new Piscina({
    filename: new URL('./scrypt-worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: availableParallelism(),
    idleTimeout: IDLE_THREAD_MS,
    niceIncrement: LOWEST_PRIORITY,
  });
  const key = await pool.run(task);
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
}
