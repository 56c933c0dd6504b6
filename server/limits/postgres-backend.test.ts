import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignInThrottle } from '../auth/sign-in-throttle.ts';
import { loadConfig } from '../config.ts';
import { connect, type Sql } from '../storage/postgres/connect.ts';
import { createTestDatabase } from '../test-support/pg-database.ts';
import { consume, createLimiters, type Limiters } from './limiters.ts';
import { limiterClient, postgresBackend } from './postgres-backend.ts';

/** Two server processes' limiters: each its own pool, one database. */
describe('rate limiters on PostgreSQL', () => {
  const config = loadConfig([], {
    BURROW_WRITE_LIMIT: '5',
    BURROW_LOGIN_LIMIT: '3',
    BURROW_LOGIN_ADDRESS_LIMIT: '1000',
  });
  let pools: Sql[];
  let first: Limiters;
  let second: Limiters;

  beforeAll(async () => {
    const url = await createTestDatabase();
    pools = [connect(url, { max: 2 }), connect(url, { max: 2 })];
    first = createLimiters(config, postgresBackend(pools[0]));
    second = createLimiters(config, postgresBackend(pools[1]));
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  it('count writes from every process against one limit', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await consume(i % 2 === 0 ? first.writes : second.writes, 'user-a'));
    expect(answers.map((answer) => answer.allowed)).toEqual([true, true, true, true, true, false]);
    const refused = answers[5];
    expect(refused.allowed === false && refused.retryAfterMs).toBeGreaterThan(0);
    expect((await consume(second.writes, 'user-b')).allowed).toBe(true);
  });

  it('commit their counts without waiting for the WAL flush, visible to every process at once', async () => {
    const client = limiterClient(pools[0]);
    const [setting] = (await client.query({ text: 'SHOW synchronous_commit' })).rows;
    expect(setting).toEqual({ synchronous_commit: 'off' });
    await client.query({ text: 'INSERT INTO rate_limits VALUES ($1, 1, NULL)', values: ['seen-elsewhere'] });
    const [row] = await pools[1]`SELECT points FROM rate_limits WHERE key = 'seen-elsewhere'`;
    expect(row).toEqual({ points: 1 });
    // Only inside its own transaction: the pool's other work still waits for its flush.
    const [pool] = await pools[0]`SHOW synchronous_commit`;
    expect(pool).toEqual({ synchronous_commit: 'on' });
  });

  describe('sign-ins reserved through two processes at once', () => {
    // One instant for every attempt: on a loaded machine a burst may outlast the first delay
    // (1 s), and an attempt after it may rightly run. The race is in the order, not the clock.
    afterEach(() => vi.useRealTimers());

    it('let exactly the free attempts through, for each account', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const throttles = [first, second].map((limiters) => new SignInThrottle(limiters));
      const accounts = Array.from({ length: 24 }, (_, i) => `burst-${i}@example.com`);
      const outcomes = await Promise.all(
        accounts.map((account) =>
          Promise.allSettled(Array.from({ length: 8 }, (_, i) => throttles[i % 2].reserveSignIn(account, '10.0.0.1'))),
        ),
      );
      // Two processes counting apart would let 3 each through (6); a gate shut after the count
      // let a fourth through now and then.
      const passed = outcomes.map((burst) => burst.filter((outcome) => outcome.status === 'fulfilled').length);
      expect(passed).toEqual(accounts.map(() => 3));
      const refusal = outcomes[0].find((outcome) => outcome.status === 'rejected');
      expect(refusal?.status === 'rejected' && refusal.reason.problem.code).toBe('rate-limited');
    });
  });

  it('fails loudly, never passes, when the database is gone', async () => {
    const url = await createTestDatabase();
    const pool = connect(url, { max: 1 });
    const limiters = createLimiters(config, postgresBackend(pool));
    await pool.end();
    await expect(consume(limiters.writes, 'user-c')).rejects.toThrow();
  });
});
