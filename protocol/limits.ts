/** Numeric limits of the wire contract, shared by the page, the worker and the server. */
export const LIMITS = {
  /** A push body larger than this is refused whole with 413 `too-large`. */
  maxPushBytes: 1024 * 1024,
  /** A push with more mutations than this is refused whole with 413 `too-large`. */
  maxMutationsPerPush: 1000,
  /** What the worker sends per push request: at most this many mutations... */
  batchMutations: 500,
  /** ...and at most this many bytes of JSON. */
  batchBytes: 512 * 1024,
  pullDefaultLimit: 1000,
  pullMaxLimit: 5000,
  idempotencyKeyMaxLength: 255,
  /** Body limit of every other JSON endpoint (auth, REST). */
  maxJsonBytes: 512 * 1024,
} as const;
