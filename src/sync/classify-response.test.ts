import { describe, expect, it } from 'vitest';
import { PROBLEM, type Problem, type ProblemCode } from '../../protocol/index.ts';
import { classifyPullResponse, classifyPushResponse, isTransientStatus } from './classify-response.ts';

function problem(status: number, code: ProblemCode, extra: Record<string, unknown> = {}): Problem {
  return { type: '', title: code, status, detail: '', code, ...extra };
}

const ALL_STATUSES = Array.from({ length: 500 }, (_, index) => index + 100);

describe('isTransientStatus', () => {
  it('is true exactly for 408, 425, 429 and every 5xx', () => {
    const transient = ALL_STATUSES.filter(isTransientStatus);
    const expected = [408, 425, 429, ...Array.from({ length: 100 }, (_, index) => 500 + index)];
    expect(transient).toEqual(expected);
  });
});

describe('classifyPushResponse', () => {
  describe('every status code without a problem body', () => {
    it('maps each status to one kind', () => {
      const kinds = new Map<number, string>();
      for (const status of ALL_STATUSES) {
        kinds.set(status, classifyPushResponse({ status, problem: null, retryAfterMs: null }).kind);
      }
      for (const [status, kind] of kinds) {
        let expected = 'blocked';
        if (status === 200) expected = 'ok';
        else if (isTransientStatus(status)) expected = 'transient';
        else if (status === 400 || status === 422) expected = 'bad-request';
        else if (status === 401) expected = 'unauthorized';
        else if (status === 413) expected = 'too-large';
        expect({ status, kind }).toEqual({ status, kind: expected });
      }
    });
  });

  describe('problem codes', () => {
    it('reads seq-gap with its expectedSeq', () => {
      const facts = { status: 409, problem: problem(409, PROBLEM.seqGap, { expectedSeq: 7 }), retryAfterMs: null };
      expect(classifyPushResponse(facts)).toEqual({ kind: 'seq-gap', expectedSeq: 7 });
    });

    it('does not trust a seq-gap without a usable expectedSeq', () => {
      const facts = { status: 409, problem: problem(409, PROBLEM.seqGap, { expectedSeq: 'x' }), retryAfterMs: null };
      expect(classifyPushResponse(facts).kind).toBe('blocked');
    });

    it('tells client-forbidden from other 403s', () => {
      const forbidden = { status: 403, problem: problem(403, PROBLEM.clientForbidden), retryAfterMs: null };
      const csrf = { status: 403, problem: problem(403, PROBLEM.csrf), retryAfterMs: null };
      expect(classifyPushResponse(forbidden).kind).toBe('client-forbidden');
      expect(classifyPushResponse(csrf).kind).toBe('blocked');
    });

    it('blocks instead of isolating when the protocol or the key is the problem', () => {
      for (const code of [PROBLEM.protocolUnsupported, PROBLEM.idempotencyKeyMissing]) {
        expect(classifyPushResponse({ status: 400, problem: problem(400, code), retryAfterMs: null }).kind).toBe(
          'blocked',
        );
      }
    });

    it('knows a reused idempotency key', () => {
      const facts = { status: 422, problem: problem(422, PROBLEM.idempotencyKeyReused), retryAfterMs: null };
      expect(classifyPushResponse(facts).kind).toBe('key-reused');
    });

    it('carries Retry-After on transient answers', () => {
      expect(classifyPushResponse({ status: 429, problem: null, retryAfterMs: 5_000 })).toEqual({
        kind: 'transient',
        reason: 'HTTP 429',
        retryAfterMs: 5_000,
      });
    });

    it('gives a problem even when a proxy sent HTML for 413', () => {
      const verdict = classifyPushResponse({ status: 413, problem: null, retryAfterMs: null });
      expect(verdict).toMatchObject({ kind: 'too-large', problem: { code: PROBLEM.tooLarge, status: 413 } });
    });
  });
});

describe('classifyPullResponse', () => {
  it('maps each status to one kind', () => {
    for (const status of ALL_STATUSES) {
      const kind = classifyPullResponse({ status, problem: null, retryAfterMs: null }).kind;
      let expected = 'blocked';
      if (status === 200) expected = 'ok';
      else if (isTransientStatus(status)) expected = 'transient';
      else if (status === 401) expected = 'unauthorized';
      else if (status === 410) expected = 'resync';
      expect({ status, kind }).toEqual({ status, kind: expected });
    }
  });

  it('resyncs on 409 cursor-ahead only', () => {
    const ahead = { status: 409, problem: problem(409, PROBLEM.cursorAhead), retryAfterMs: null };
    expect(classifyPullResponse(ahead).kind).toBe('resync');
  });
});
