/**
 * Test helper: the real local store (over fake-indexeddb) with a log of the calls the loops make
 * on it, so the drain, pull and engine tests check the rules production has and assert on the
 * order and arguments of store calls.
 */
import 'fake-indexeddb/auto';
import { openLocalStore } from '../store/open-local-store.ts';
import { uniqueDatabaseName, writeMetaOf } from '../store/store-fixtures.test-helper.ts';
import type { LocalStore, MetaKey, OutboxEntry } from '../store/types.ts';

/** One store call, with its arguments as passed. */
export interface StoreCall {
  method: string;
  args: unknown[];
}

/**
 * A real store whose every call is logged; a test may replace a method to hold or fail it.
 * `close()` is logged but leaves the connection open until `dispose()`: the engine closes its
 * store on an account change and opens the active one again, which a test hands it as this same
 * object, to keep its replaced methods and its log.
 */
export type RecordedStore = LocalStore & {
  readonly calls: StoreCall[];
  /** Names of the store methods called so far, in order. */
  methods(): string[];
  /** The pending outbox entries, by key (not logged: the test's own look). */
  outbox(): Promise<Map<number, OutboxEntry>>;
  /** A meta value (not logged: the test's own look). */
  meta<T>(key: MetaKey): Promise<T | undefined>;
  /** Writes a meta value as an earlier session would have left it (the store has no way to, by design). */
  writeMeta(key: MetaKey, value: unknown): Promise<void>;
  /** Closes the connection (test teardown). */
  dispose(): void;
};

/** Opens a real store on a fresh database (or `name`) and logs the calls made on it. */
export async function openRecordedStore(name: string = uniqueDatabaseName()): Promise<RecordedStore> {
  const store = await openLocalStore(name);
  const calls: StoreCall[] = [];
  const recorded: Record<string, unknown> = {
    name: store.name,
    close: () => calls.push({ method: 'close', args: [] }),
  };
  for (const [method, value] of Object.entries(store)) {
    if (method === 'close' || typeof value !== 'function') continue;
    recorded[method] = (...args: unknown[]) => {
      calls.push({ method, args });
      return (value as (...args: unknown[]) => unknown)(...args);
    };
  }
  return Object.assign(recorded as unknown as LocalStore, {
    calls,
    methods: () => calls.map((call) => call.method),
    outbox: async () => new Map((await store.pendingEntries()).map((entry) => [entry.key, entry])),
    meta: <T>(key: MetaKey) => store.getMeta<T>(key),
    writeMeta: (key: MetaKey, value: unknown) => writeMetaOf(name, key, value),
    dispose: () => store.close(),
  });
}
