/** Calls about link previews: asking the server to fetch a card's preview again (Refresh). */
import type { Problem } from '../../protocol/index.ts';

/** A Refresh the server did not take, with a sentence a person can act on. */
export class PreviewRefreshError extends Error {
  override name = 'PreviewRefreshError';
  constructor(
    message: string,
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The words for a refused Refresh, by status and problem code. */
function refusal(status: number, problem: Problem | null): string {
  if (problem?.code === 'previews-off') return 'This server does not fetch link previews.';
  if (status === 401) return 'Sign in again to refresh previews.';
  if (status === 404) return 'This link is not on the server yet: it gets its preview once it syncs.';
  if (status === 429) return 'Too many requests just now. Try Refresh again in a minute.';
  if (status === 503) return 'The server is busy. Try Refresh again in a moment.';
  return problem?.detail || problem?.title || `The server could not refresh the preview (${status}).`;
}

/**
 * Asks the server to fetch the card's preview again (`POST /api/cards/:id/refresh`). Resolves
 * once the server has queued it (its `metadata.status` becomes `pending`, then `ready` or
 * `failed`, through the normal sync); throws PreviewRefreshError otherwise, offline included.
 */
export async function refreshPreview(cardId: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`/api/cards/${encodeURIComponent(cardId)}/refresh`, {
      method: 'POST',
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new PreviewRefreshError('You are offline: Refresh needs the server. Try again once you are back online.', 0, {
      cause: error,
    });
  }
  if (response.ok) return;
  const problem = (await response.json().catch(() => null)) as Problem | null;
  throw new PreviewRefreshError(refusal(response.status, problem?.code ? problem : null), response.status);
}
