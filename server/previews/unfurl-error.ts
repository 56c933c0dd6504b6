/** The one error of the preview fetcher: a readable reason for the card, and whether a retry may help. */

export class UnfurlError extends Error {
  override name = 'UnfurlError';

  /**
   * @param message what the person reads on the card (`metadata.error`)
   * @param transient true when a later attempt may succeed (timeouts, 5xx, 429, network errors)
   */
  constructor(
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Any failure as an UnfurlError; an unexpected one counts as transient (retried, then failed). */
export function asUnfurlError(error: unknown): UnfurlError {
  if (error instanceof UnfurlError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new UnfurlError(`The page could not be read: ${message}`, true, { cause: error });
}
