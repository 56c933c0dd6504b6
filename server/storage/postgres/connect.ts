/**
 * Opens a connection pool on PostgreSQL with the `postgres` driver (porsager): pipelining,
 * `listen` that re-subscribes after a reconnect, prepared statements. 64-bit integers are read
 * as JavaScript numbers on purpose: every bigint Burrow stores (a seq, a time in ms, a byte
 * count) stays far below 2^53, and one that did not would be a bug worth failing loudly for.
 */
import postgres from 'postgres';

/** PostgreSQL's type id of `bigint` (int8). */
const INT8_OID = 20;

/** The pool type the PostgreSQL store is written against. */
export type Sql = postgres.Sql<{ bigint: number }>;

/** Parses an int8 as a number; throws instead of rounding one past 2^53. */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} does not fit a JavaScript number`);
  return value;
}

export interface ConnectOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** `application_name`, shown in pg_stat_activity (tests find a process's connections by it). */
  applicationName?: string;
}

export function connect(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName ?? 'burrow' },
    types: {
      bigint: { to: INT8_OID, from: [INT8_OID], serialize: (value: number) => String(value), parse: parseInt8 },
    },
  }) as unknown as Sql;
}
