import { afterEach, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../../test-support/pg-database.ts';
import { connect, type Sql } from './connect.ts';
import { listMigrations, migrate } from './migrate.ts';

describe('PostgreSQL migrations', () => {
  const pools: Sql[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });

  it('run once when several processes start at the same time', async () => {
    const url = await createEmptyDatabase();
    const starters = Array.from({ length: 4 }, () => connect(url, { max: 1 }));
    pools.push(...starters);
    const applied = await Promise.all(starters.map((sql) => migrate(sql)));
    expect(applied.filter((count) => count > 0)).toHaveLength(1);
    expect(applied.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
    const [{ value }] = await starters[0]<{ value: number }[]>`SELECT value FROM counters WHERE name = 'seq'`;
    expect(value).toBe(0);
  });

  it('apply nothing the second time', async () => {
    const url = await createEmptyDatabase();
    const sql = connect(url, { max: 1 });
    pools.push(sql);
    expect(await migrate(sql)).toBeGreaterThan(0);
    expect(await migrate(sql)).toBe(0);
  });

  it('read bigints as numbers and refuse one past 2^53', async () => {
    const url = await createEmptyDatabase();
    const sql = connect(url, { max: 1 });
    pools.push(sql);
    const [row] = await sql<{ small: number }[]>`SELECT 9007199254740991::bigint AS small`;
    expect(row.small).toBe(Number.MAX_SAFE_INTEGER);
    await expect(sql`SELECT 9007199254740993::bigint AS big`).rejects.toThrow(/does not fit/);
  });

  it('refuse two files with one number (the second would be skipped as applied)', () => {
    expect(listMigrations(['002-b.sql', '001-a.sql']).map((migration) => migration.version)).toEqual([1, 2]);
    expect(() => listMigrations(['001-a.sql', '002-b.sql', '002-c.sql'])).toThrow(/share a number/);
  });
});
