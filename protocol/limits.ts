/** Numeric limits of the wire contract, shared by the page, the worker and the server. */
export const LIMITS = {
  /** A push body larger than this is refused whole with 413 `too-large`. */
  maxPushBytes: 1024 * 1024,
  /**
   * A push with more mutations than this is refused whole with 413 `too-large`. A push is one
   * transaction that holds the server's event loop: 1,000 mutations were a 230 ms stall for
   * every other user, 500 (what the worker sends at most) half that.
   */
  maxMutationsPerPush: 500,
  /** What the worker sends per push request: at most this many mutations... */
  batchMutations: 500,
  /** ...and at most this many bytes of JSON. */
  batchBytes: 512 * 1024,
  pullDefaultLimit: 1000,
  pullMaxLimit: 5000,
  /**
   * Pull and REST list pages stop before this many bytes of JSON (a record larger than this goes
   * alone), answering `hasMore: true`: 1,400 notes of 400 KB in one page were a 500.
   */
  pageBytes: 4 * 1024 * 1024,
  idempotencyKeyMaxLength: 255,
  /**
   * How deep collections nest: a top-level collection is at depth 1, and a `parentId` is refused
   * when the parent is already at this depth (counting deleted collections on the way up).
   */
  collectionDepth: 8,
  /** Body limit of every other JSON endpoint (auth, REST). */
  maxJsonBytes: 512 * 1024,
  /**
   * A push answer is at most its request's bytes plus this many per mutation, however large the
   * records it touches: results carry versions and seqs, never records (docs/protocol.md, Results).
   */
  pushAnswerBytesPerMutation: 2048,
  /**
   * A conflict's server values are answered while they fit in the bytes of the mutation's own
   * fields plus this; the others are marked `omitted` (the client's pull brings them).
   */
  conflictValuesSlackBytes: 512,
  /**
   * The stored records one push may read and write, in bytes of their fields: a push over more is
   * refused whole with 413 `too-large` (the client sends fewer mutations at once). One mutation
   * touches at most a few records of at most `maxJsonBytes`, so it always fits alone.
   */
  pushStoredBytes: 8 * 1024 * 1024,
  /** A problem's `errors` stop once they pass this many bytes of JSON (at least one is listed). */
  problemErrorsBytes: 1024,
} as const;
