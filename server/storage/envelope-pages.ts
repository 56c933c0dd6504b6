/**
 * Pages of envelopes read from rows of either adapter, bounded in count and in bytes of JSON:
 * the one rule for pull, REST list and account pages, whatever the backend. Envelopes are
 * bytes, never strings: a 4 MiB page of non-Latin notes took 60 ms as text (decode from the
 * database, count, concatenate, encode for the socket) and 5 ms as bytes copied.
 */
import { setImmediate } from 'node:timers/promises';
import { type Envelope, LIMITS } from '../../protocol/index.ts';

/** A row an adapter reads envelopes from: its seq at index 4 (`ENVELOPE_COLUMNS` of either adapter). */
export type SeqRow = { readonly 4: number };

/** A page of envelopes: the JSON bytes of each, and where it stopped. */
export interface Page {
  envelopes: Uint8Array[];
  /** Bytes of the envelopes joined by commas. */
  bytes: number;
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
export function pageOf<Row extends SeqRow>(
  rows: Iterable<Row>,
  envelopeBytes: (row: Row) => Uint8Array,
  limit: number,
  budget: number = LIMITS.pageBytes,
): Page {
  const page = emptyPage();
  extendPage(page, rows, { envelopeBytes, limit, budget, sliceBytes: Number.POSITIVE_INFINITY });
  return page;
}

/**
 * Bytes of envelopes a page reads in one go before other requests get their turn. Reading
 * 400 KB notes is about 4 ms each on this kind of machine: a 4 MiB page read whole kept the
 * event loop for 20 to 50 ms, and two such pulls at once doubled every honest request's p99.
 */
export const SLICE_BYTES = 512 * 1024;

/** Reads up to `count` rows with seq above `after` (and at most the page's bound), by seq. */
export type SliceReader<Row> = (after: number, count: number) => Iterable<Row>;

/**
 * `pageOf`, read in slices of about `sliceBytes`, each slice continuing after the last seq taken,
 * with the event loop free between slices. Consistent only if `readSlice` is bounded by a seq
 * read before the first slice (its snapshot): a record changed between slices moves above that
 * bound and comes in a later page, so a page still holds each record once, as of the bound.
 */
export async function pageInSlices<Row extends SeqRow>(
  cursor: number,
  readSlice: SliceReader<Row>,
  envelopeBytes: (row: Row) => Uint8Array,
  limit: number,
  { budget = LIMITS.pageBytes, sliceBytes = SLICE_BYTES } = {},
): Promise<Page> {
  const page = emptyPage();
  const rules = { envelopeBytes, limit, budget, sliceBytes };
  while (extendPage(page, readSlice(page.last ?? cursor, limit - page.envelopes.length + 1), rules)) {
    await setImmediate();
  }
  return page;
}

function emptyPage(): Page {
  return { envelopes: [], bytes: 0, last: null, hasMore: false };
}

interface PageRules<Row> {
  envelopeBytes: (row: Row) => Uint8Array;
  limit: number;
  budget: number;
  sliceBytes: number;
}

/** Adds rows to `page` by its rules; true when it stopped only because this slice is full. */
function extendPage<Row extends SeqRow>(page: Page, rows: Iterable<Row>, rules: PageRules<Row>): boolean {
  let sliceBytes = 0;
  for (const row of rows) {
    const count = page.envelopes.length;
    if (count === rules.limit) {
      page.hasMore = true;
      return false;
    }
    const envelope = rules.envelopeBytes(row);
    const size = envelope.byteLength + (count === 0 ? 0 : 1);
    if (count > 0 && page.bytes + size > rules.budget) {
      page.hasMore = true;
      return false;
    }
    page.envelopes.push(envelope);
    page.last = row[4];
    page.bytes += size;
    sliceBytes += size;
    // Checked before the next row is read: a row read and not taken would be read twice.
    if (sliceBytes >= rules.sliceBytes) return true;
  }
  return false;
}

const COMMA = Buffer.from(',');

/**
 * JSON kept as the pieces it was spliced from: a page's answer is sent piece by piece, never
 * copied into one buffer first (that copy was a tenth of what a 4 MiB page cost the server).
 */
export class JsonPieces {
  readonly byteLength: number;

  constructor(readonly pieces: readonly Uint8Array[]) {
    this.byteLength = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.pieces);
  }

  toString(): string {
    return this.toBuffer().toString();
  }
}

/** `head`, the page's envelopes joined by commas, then `tail`: one answer's JSON. */
export function jsonAround(head: string, page: Page, tail: string): JsonPieces {
  const pieces: Uint8Array[] = [Buffer.from(head)];
  page.envelopes.forEach((envelope, index) => {
    if (index > 0) pieces.push(COMMA);
    pieces.push(envelope);
  });
  pieces.push(Buffer.from(tail));
  return new JsonPieces(pieces);
}

/**
 * The workspaces of `rows` that fit in one page's byte budget, oldest first: what signup, login
 * and `me` answer. Thousands of workspaces fit; a client gets them all from pull anyway.
 */
export function workspacesOf<Row extends SeqRow>(
  rows: Iterable<Row>,
  envelopeBytes: (row: Row) => Uint8Array,
  budget: number = LIMITS.pageBytes,
): Envelope[] {
  const page = pageOf(rows, envelopeBytes, Number.MAX_SAFE_INTEGER, budget);
  return JSON.parse(jsonAround('[', page, ']').toString());
}
