/**
 * The rate limiters on PostgreSQL: rate-limiter-flexible's RateLimiterPostgres over the
 * `rate_limits` table (migration 001), so every process sharing the database counts against
 * the same limits. Expired rows are reaped by the maintenance job (once, under its lock), not
 * by a timer in each limiter of each process.
 */
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Sql } from '../storage/postgres/connect.ts';
import type { LimiterBackend } from './limiters.ts';

/** The `pg`-style client RateLimiterPostgres calls (`query({text, values}) → {rows, rowCount}`), over our pool. */
function limiterClient(sql: Sql) {
  return {
    async query(query: { text: string; values?: unknown[] }) {
      const rows = await sql.unsafe(query.text, (query.values ?? []) as never[], { prepare: true });
      return { rows, rowCount: rows.count };
    },
  };
}

export function postgresBackend(sql: Sql): LimiterBackend {
  const storeClient = limiterClient(sql);
  return ({ keyPrefix, points, durationSeconds }) =>
    new RateLimiterPostgres({
      storeClient,
      storeType: 'client',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix,
      points,
      duration: durationSeconds,
    });
}
