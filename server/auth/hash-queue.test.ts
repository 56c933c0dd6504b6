import { describe, expect, it } from 'vitest';
import { ProblemError } from '../problem.ts';
import { HashQueue } from './hash-queue.ts';

/** A hash that finishes when told to, recording how many run at once. */
function controlledHashes() {
  let running = 0;
  let mostAtOnce = 0;
  const finishers: (() => void)[] = [];
  const hash = () =>
    new Promise<string>((resolve) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      finishers.push(() => {
        running--;
        resolve('hashed');
      });
    });
  return { hash, finishers, mostAtOnce: () => mostAtOnce };
}

describe('HashQueue', () => {
  it('runs at most `concurrency` hashes at once and the others in turn', async () => {
    const queue = new HashQueue(2, 10);
    const hashes = controlledHashes();
    const results = Array.from({ length: 6 }, () => queue.run(hashes.hash));
    await Promise.resolve();
    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(4);
    while (hashes.finishers.length > 0 || queue.running > 0) {
      hashes.finishers.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(results)).toEqual(Array(6).fill('hashed'));
    expect(hashes.mostAtOnce()).toBe(2);
  });

  it('refuses at once with 503 server-busy and Retry-After when the wait queue is full', async () => {
    const queue = new HashQueue(1, 2);
    const hashes = controlledHashes();
    const accepted = [queue.run(hashes.hash), queue.run(hashes.hash), queue.run(hashes.hash)];
    const refused = await queue.run(hashes.hash).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).problem).toMatchObject({ status: 503, code: 'server-busy' });
    expect(Number((refused as ProblemError).headers['retry-after'])).toBeGreaterThanOrEqual(1);
    while (hashes.finishers.length > 0 || queue.running > 0) {
      hashes.finishers.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(accepted);
  });
});
