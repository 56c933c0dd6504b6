import { describe, expect, it } from 'vitest';
import { busyKeys, DEFAULT_PREVIEW_POLICY, mayRetry, pickJobs, retryDelay } from './preview-policy.ts';

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

describe('pickJobs', () => {
  const limits = { globalConcurrency: 4, perUserConcurrency: 2, hostGapMs: 1000 };
  const due = (ownerId: string, host: string) => ({ ownerId, host, cardId: `${ownerId}-${host}` });

  it('takes the oldest jobs within the limits counted with what runs anywhere', () => {
    const running = [job('ann', 'a.example')];
    const candidates = [
      due('ann', 'b.example'),
      due('ann', 'c.example'),
      due('bob', 'a.example'),
      due('bob', 'd.example'),
    ];
    const picked = pickJobs(candidates, running, new Map(), 0, limits, 4);
    // ann has one slot left; a.example is being fetched; the server has three left.
    expect(picked.map((picked) => picked.cardId)).toEqual(['ann-b.example', 'bob-d.example']);
  });

  it('takes nothing when the server is at its limit, or from a host started within the gap', () => {
    const full = [job('a', '1.example'), job('b', '2.example'), job('c', '3.example'), job('d', '4.example')];
    expect(pickJobs([due('e', '5.example')], full, new Map(), 0, limits, 1)).toEqual([]);
    const starts = new Map([['5.example', 500]]);
    expect(pickJobs([due('e', '5.example')], [], starts, 1499, limits, 1)).toEqual([]);
    expect(pickJobs([due('e', '5.example')], [], starts, 1500, limits, 1)).toHaveLength(1);
  });
});
