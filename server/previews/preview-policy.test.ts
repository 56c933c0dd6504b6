import { describe, expect, it } from 'vitest';
import { busyKeys, DEFAULT_PREVIEW_POLICY, mayRetry, retryDelay } from './preview-policy.ts';

const policy = DEFAULT_PREVIEW_POLICY;
const job = (ownerId: string, host: string) => ({ ownerId, host });

describe('retryDelay', () => {
  it('grows fourfold from the base, jittered between half and whole', () => {
    expect([1, 2, 3].map((failed) => retryDelay(failed, policy, 0.999_999))).toEqual([30_000, 120_000, 480_000]);
    expect(retryDelay(1, policy, 0)).toBe(15_000);
  });

  it('stops growing at the cap', () => {
    expect(retryDelay(10, policy, 0.5)).toBe(retryDelay(20, policy, 0.5));
    expect(retryDelay(10, policy, 0.5)).toBe(policy.retryCapMs * 0.75);
  });
});

describe('mayRetry', () => {
  it('allows maxAttempts attempts in all', () => {
    const attempts = [0, 1, 2, 3].map((done) => mayRetry({ attempts: done } as never, policy));
    expect(attempts).toEqual([true, true, true, false]);
  });
});

describe('busyKeys', () => {
  it('names owners at their limit, not below it', () => {
    const running = [job('ann', 'a.example'), job('ann', 'b.example'), job('bob', 'c.example')];
    expect(busyKeys(running, new Map(), 0, policy).busyOwners).toEqual(['ann']);
  });

  it('names hosts being fetched and hosts started within the gap', () => {
    const starts = new Map([
      ['recent.example', 10_000 - policy.hostGapMs + 1],
      ['earlier.example', 10_000 - policy.hostGapMs],
    ]);
    const { busyHosts } = busyKeys([job('ann', 'busy.example')], starts, 10_000, policy);
    expect(busyHosts.sort()).toEqual(['busy.example', 'recent.example']);
  });
});
