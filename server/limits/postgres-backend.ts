/**
 * The rate limiters on PostgreSQL: rate-limiter-flexible's RateLimiterPostgres over the
 * `rate_limits` table (migration 001), and the sign-in gates over `sign_in_gates` (migration
 * 003), so every process sharing the database counts against the same limits. Expired rows are
 * reaped by the maintenance job (once, under its lock), not by a timer in each process.
 */
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { inOneRoundTrip, onOwnConnection, type Sql } from '../storage/postgres/connect.ts';
import type { LimiterBackend } from './limiters.ts';
import type { SignInChange, SignInLedger, SignInState } from './sign-in-gate.ts';

/**
 * The `pg`-style client RateLimiterPostgres calls (`query({text, values}) → {rows, rowCount}`),
 * over our pool. Each query is a transaction of its own that commits without waiting for its WAL
 * flush (`synchronous_commit = off`, still visible to every process at once): a count lost to a
 * crash costs nothing, while waiting put an fsync (2–4 ms here) before every request's own work.
 * BEGIN to COMMIT in one round trip, as the query alone was.
 */
export function limiterClient(sql: Sql) {
  return {
    async query(query: { text: string; values?: unknown[] }) {
      const [rows] = await onOwnConnection(sql, (connection) =>
        inOneRoundTrip(
          connection,
          [connection`BEGIN`, connection`SET LOCAL synchronous_commit = off`],
          [connection.unsafe(query.text, (query.values ?? []) as never[], { prepare: true }), connection`COMMIT`],
        ),
      );
      return { rows, rowCount: rows.count };
    },
  };
}

/**
 * Sign-in gates in `sign_in_gates`: an update makes the pair's row if it is missing and locks
 * it in the same statement (`ON CONFLICT DO UPDATE` takes the row lock), applies the rule in
 * JavaScript and writes the row back before the commit releases the lock. A concurrent attempt
 * through any process waits on that lock and then reads what this one wrote.
 */
export class PostgresSignInLedger implements SignInLedger {
  constructor(private readonly sql: Sql) {}

  update<T>(pair: string, change: (state: SignInState | null) => SignInChange<T>): Promise<T> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx<{ tries: number; delays: number; open_at: number; expire: number }[]>`
        INSERT INTO sign_in_gates AS gate (pair, tries, delays, open_at, expire) VALUES (${pair}, 0, 0, 0, 0)
        ON CONFLICT (pair) DO UPDATE SET pair = gate.pair
        RETURNING tries, delays, open_at, expire`;
      const stored =
        row.expire === 0 ? null : { tries: row.tries, delays: row.delays, openAt: row.open_at, expire: row.expire };
      const { state, result } = change(stored);
      if (state === null) await tx`DELETE FROM sign_in_gates WHERE pair = ${pair}`;
      else
        await tx`UPDATE sign_in_gates SET tries = ${state.tries}, delays = ${state.delays},
          open_at = ${state.openAt}, expire = ${state.expire} WHERE pair = ${pair}`;
      return result;
    }) as Promise<T>;
  }
}

export function postgresBackend(sql: Sql): LimiterBackend {
  const storeClient = limiterClient(sql);
  return {
    counter: ({ keyPrefix, points, durationSeconds }) =>
      new RateLimiterPostgres({
        storeClient,
        storeType: 'client',
        tableName: 'rate_limits',
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix,
        points,
        duration: durationSeconds,
      }),
    signInLedger: () => new PostgresSignInLedger(sql),
  };
}
