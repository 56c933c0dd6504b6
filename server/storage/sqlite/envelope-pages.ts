/** Pages of envelopes read from SQLite rows, bounded in count and in bytes of JSON. */
import { type Envelope, LIMITS } from '../../../protocol/index.ts';
import { type EnvelopeRow, envelopeJson } from './record-rows.ts';

/** A page of envelopes: their JSON, joined by commas, and where it stopped. */
export interface Page {
  json: string;
  /** The seq of the last envelope taken (null: none). */
  last: number | null;
  /** Whether rows were left: over `limit`, or over the byte budget. */
  hasMore: boolean;
}

/**
 * The envelopes of `rows`, at most `limit`, while their JSON fits in `budget` bytes (the first
 * always goes, however large). Rows are read one by one, so a page of large records never holds
 * more than the budget and one record in memory.
 */
export function pageOf(rows: Iterable<EnvelopeRow>, limit: number, budget: number = LIMITS.pageBytes): Page {
  const page: Page = { json: '', last: null, hasMore: false };
  let bytes = 0;
  let count = 0;
  for (const row of rows) {
    const envelope = count < limit ? envelopeJson(row) : '';
    const size = Buffer.byteLength(envelope) + 1;
    if (count === limit || (count > 0 && bytes + size > budget)) {
      page.hasMore = true;
      break;
    }
    page.json += count === 0 ? envelope : `,${envelope}`;
    page.last = row[4];
    bytes += size;
    count++;
  }
  return page;
}

/**
 * The workspaces of `rows` that fit in one page's byte budget, oldest first: what signup, login
 * and `me` answer. Thousands of workspaces fit; a client gets them all from pull anyway.
 */
export function workspacesOf(rows: Iterable<EnvelopeRow>, budget: number = LIMITS.pageBytes): Envelope[] {
  return JSON.parse(`[${pageOf(rows, Number.MAX_SAFE_INTEGER, budget).json}]`);
}
