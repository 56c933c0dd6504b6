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

/** A query built and not yet sent, whatever its rows, as objects or as `values()` (as `sql.batch` takes them). */
// biome-ignore lint/suspicious/noExplicitAny: the driver's query types are invariant in their rows.
export type PendingQuery = postgres.PendingQuery<any> | postgres.PendingValuesQuery<any>;

/**
 * Sends `opening` and then `queries` in one write with one Sync (`sql.batch`): one round trip,
 * and a failure skips what follows it. Answers what `queries` gave, in order; a null query is
 * not sent and answers no rows.
 */
export async function inOneRoundTrip<Queries extends readonly (PendingQuery | null)[] | []>(
  sql: Sql,
  opening: readonly PendingQuery[],
  queries: Queries,
): Promise<{ -readonly [K in keyof Queries]: Awaited<NonNullable<Queries[K]>> }> {
  const all: readonly (PendingQuery | null)[] = queries;
  const sent = all.filter((query): query is PendingQuery => query !== null);
  const answers = (await sql.batch([...opening, ...sent] as postgres.PendingQuery<postgres.Row[]>[])).slice(
    opening.length,
  );
  let next = 0;
  return queries.map((query) => (query === null ? [] : answers[next++])) as never;
}

/**
 * Runs `use` on a connection of its own (its transaction's statements batched by hand, BEGIN and
 * COMMIT among them); a failure rolls back whatever it left open, so the connection is kept.
 */
export async function onOwnConnection<T>(sql: Sql, use: (connection: Sql) => Promise<T>): Promise<T> {
  const connection = await sql.reserve();
  try {
    return await use(connection as unknown as Sql);
  } catch (error) {
    await connection`ROLLBACK`.catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}
