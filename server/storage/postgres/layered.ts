/**
 * A map with an uncommitted layer on top: what one write of a group changes is kept apart
 * until that write succeeds (`keep`), and forgotten when it throws (`drop`). Group commit's
 * all-or-nothing per write, in memory, before anything is sent to the database.
 */
export class Layered<V> {
  private readonly base = new Map<string, V>();
  private top = new Map<string, V>();

  has(key: string): boolean {
    return this.top.has(key) || this.base.has(key);
  }

  get(key: string): V | undefined {
    return this.top.has(key) ? this.top.get(key) : this.base.get(key);
  }

  /** A change made by the write in progress. */
  set(key: string, value: V): void {
    this.top.set(key, value);
  }

  /** What the database holds (loaded before any write runs). */
  load(key: string, value: V): void {
    this.base.set(key, value);
  }

  keep(): void {
    for (const [key, value] of this.top) this.base.set(key, value);
    this.top = new Map();
  }

  drop(): void {
    this.top = new Map();
  }

  /** Every key, kept and in progress. */
  keys(): IterableIterator<string> {
    return new Set([...this.base.keys(), ...this.top.keys()]).values();
  }

  /** The kept entries (call after `keep`). */
  entries(): IterableIterator<[string, V]> {
    return this.base.entries();
  }

  get size(): number {
    return this.base.size;
  }
}
