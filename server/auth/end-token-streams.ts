/**
 * Ends the event streams a revoked API token opened (issue 22, item 7).
 *
 * PENDING, for the lead: the poke hub's API to close streams by token, session or user comes
 * with the `connections` branch (issue 22, item 4), and the events route must open each stream
 * with the request's `auth` (`AuthMethod` carries the token id for that). Until both land this
 * is the one call site to connect (`DELETE /api/auth/tokens/:id`), and a revoked token's open
 * streams run on until they drop; the token itself is refused at once.
 */
import type { PokeHub } from '../events/poke-hub.ts';

export function endTokenStreams(hub: PokeHub, tokenId: string): void {
  void hub;
  void tokenId;
}
