import { describe, expect, it } from 'vitest';
import {
  jsonAround,
  type Page,
  pageInSlices,
  pageOf as pageOfRows,
  workspacesOf as workspacesOfRows,
} from './envelope-pages.ts';
import { type EnvelopeRow, envelopeBytes } from './sqlite/record-rows.ts';

const pageOf = (rows: Iterable<EnvelopeRow>, limit: number, budget?: number) =>
  pageOfRows(rows, envelopeBytes, limit, budget);
const workspacesOf = (rows: Iterable<EnvelopeRow>, budget?: number) => workspacesOfRows(rows, envelopeBytes, budget);

const ID = '01900000-0000-7000-8000-000000000001';

/** A row at `seq` whose fields' JSON is about `size` bytes. */
function row(seq: number, size = 10): EnvelopeRow {
  const fields = JSON.stringify({ name: 'x'.repeat(Math.max(size - 11, 0)) });
  const at = '2026-01-01T00:00:00.000Z';
  return ['workspaces', ID, ID, 1, seq, 0, at, at, Buffer.from(fields), 0];
}

/** Rows that say how many of them were read. */
function counted(rows: EnvelopeRow[]) {
  const read = { count: 0 };
  function* each() {
    for (const item of rows) {
      read.count++;
      yield item;
    }
  }
  return { rows: each(), read };
}

/** The page's envelopes joined by commas, as text. */
const jsonOf = (page: Page) => jsonAround('', page, '').toString();
const seqs = (page: Page) => (JSON.parse(`[${jsonOf(page)}]`) as { seq: number }[]).map((envelope) => envelope.seq);

describe('pageOf', () => {
  it('takes rows up to the limit, and says more are left', () => {
    const page = pageOf([row(1), row(2), row(3)], 2);
    expect([seqs(page), page.last, page.hasMore]).toEqual([[1, 2], 2, true]);
    expect(pageOf([row(1), row(2)], 2)).toMatchObject({ last: 2, hasMore: false });
    expect(pageOf([], 2)).toEqual({ envelopes: [], bytes: 0, last: null, hasMore: false });
  });

  it('stops before the byte budget, reading one row past it', () => {
    const { rows, read } = counted([row(1, 300), row(2, 300), row(3, 300), row(4, 300)]);
    const page = pageOf(rows, 5000, 1200);
    expect([seqs(page), page.hasMore, read.count]).toEqual([[1, 2], true, 3]);
    expect(Buffer.byteLength(jsonOf(page))).toBeLessThanOrEqual(1200);
    expect(page.bytes).toBe(Buffer.byteLength(jsonOf(page)));
  });

  it('sends a row larger than the budget alone', () => {
    const first = pageOf([row(1, 5000), row(2)], 5000, 1000);
    expect([seqs(first), first.hasMore]).toEqual([[1], true]);
    const next = pageOf([row(2), row(3, 5000)], 5000, 1000);
    expect([seqs(next), next.hasMore]).toEqual([[2], true]);
  });
});

describe('pageInSlices', () => {
  const rows = Array.from({ length: 12 }, (_, i) => row(i + 1, 50 + ((i * 37) % 400)));

  /** Reads like the SQLite statements: rows after `after`, at most `count`, counting the reads. */
  function sliceReader() {
    const reads = { slices: 0, rows: 0 };
    const readSlice = function* (after: number, count: number) {
      reads.slices++;
      for (const item of rows.filter((candidate) => candidate[4] > after).slice(0, count)) {
        reads.rows++;
        yield item;
      }
    };
    return { readSlice, reads };
  }

  it('makes the page pageOf makes, whatever the slice size, reading no row twice', async () => {
    for (const sliceBytes of [1, 120, 700, Number.POSITIVE_INFINITY]) {
      for (const limit of [1, 3, 12, 50]) {
        for (const budget of [300, 1500, 100_000]) {
          const { readSlice, reads } = sliceReader();
          const sliced = await pageInSlices(0, readSlice, envelopeBytes, limit, { budget, sliceBytes });
          expect(sliced).toEqual(pageOf(rows, limit, budget));
          expect(reads.rows).toBeLessThanOrEqual(sliced.envelopes.length + 1);
        }
      }
    }
  });

  it('reads a slice at a time and lets other work run between slices', async () => {
    const { readSlice, reads } = sliceReader();
    const ticks: number[] = [];
    const spin = () => {
      ticks.push(reads.slices);
      if (ticks.length < 100) setImmediate(spin);
    };
    setImmediate(spin);
    const page = await pageInSlices(0, readSlice, envelopeBytes, 50, { sliceBytes: 1 });
    expect(page.envelopes).toHaveLength(12);
    // One row per slice, and the spinner ran between them (it saw the count of slices grow).
    expect(reads.slices).toBeGreaterThanOrEqual(12);
    expect(new Set(ticks.filter((count) => count <= 12)).size).toBeGreaterThanOrEqual(10);
  });
});

describe('workspacesOf', () => {
  it('answers the oldest workspaces that fit in the budget', () => {
    const rows = Array.from({ length: 100 }, (_, i) => row(i + 1, 200));
    const workspaces = workspacesOf(rows, 2000);
    expect(workspaces.length).toBeGreaterThan(1);
    expect(workspaces.map((workspace) => workspace.seq)).toEqual(workspaces.map((_, i) => i + 1));
    expect(Buffer.byteLength(JSON.stringify(workspaces))).toBeLessThanOrEqual(2000);
    expect(workspacesOf(rows.slice(0, 3))).toHaveLength(3);
  });
});
