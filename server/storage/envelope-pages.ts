/**
 * Pages of envelopes read from rows of either adapter, bounded in count and in bytes of JSON:
 * the one rule for pull, REST list and account pages, whatever the backend. Envelopes are
 * bytes, never strings: a 4 MiB page of non-Latin notes took 60 ms as text (decode from the
 * database, count, concatenate, encode for the socket) and 5 ms as bytes copied.
 */
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
  const page: Page = { envelopes: [], bytes: 0, last: null, hasMore: false };
  for (const row of rows) {
    const count = page.envelopes.length;
    if (count === limit) {
      page.hasMore = true;
      break;
    }
    const envelope = envelopeBytes(row);
    const size = envelope.byteLength + (count === 0 ? 0 : 1);
    if (count > 0 && page.bytes + size > budget) {
      page.hasMore = true;
      break;
    }
    page.envelopes.push(envelope);
    page.last = row[4];
    page.bytes += size;
  }
  return page;
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
