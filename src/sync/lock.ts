/** Named exclusive locks: Web Locks across tabs and the worker, an in-process mutex without them. */

/** Runs `task` while holding the named lock; waits for the lock if another holder has it. */
export type LockRunner = <T>(name: string, task: () => Promise<T>) => Promise<T>;

/**
 * A promise chain per name: excludes only the callers that share this runner. Tests make one
 * each, so a loop a test leaves waiting cannot hold the next test's locks.
 */
export function createInProcessLock(): LockRunner {
  const tails = new Map<string, Promise<unknown>>();
  return (name, task) => {
    const previous = tails.get(name) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(name, tail);
    void tail.then(() => {
      if (tails.get(name) === tail) tails.delete(name);
    });
    return run;
  };
}

/**
 * The fallback where `navigator.locks` is missing (old browsers, Node): it only excludes callers
 * in this JavaScript realm.
 */
export const inProcessLock: LockRunner = createInProcessLock();

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The Web Locks runner when the platform has it (pages and workers alike), else the fallback. */
export function defaultLock(): LockRunner {
  // Typed by hand: this module is also type-checked without the DOM's types (the tests' Node side).
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (!locks) return inProcessLock;
  return (name, task) => locks.request(name, task);
}

/** Lock names shared by every context of the origin. */
export const LOCK_NAMES = {
  drain: 'burrow-drain',
  pull: 'burrow-pull',
  events: 'burrow-events',
} as const;
