/** The Hono environment of the app: what middleware puts on the context for the routes. */
import type { HttpBindings } from '@hono/node-server';
import type { User } from '../storage/store.ts';

/**
 * How the request was authenticated: CSRF, logout and token management treat the two
 * differently; event streams remember theirs so revoking it can end them.
 */
export type AuthMethod = { kind: 'session'; idHash: string } | { kind: 'bearer'; tokenId: string };

export interface AppEnv {
  /** Present when served by @hono/node-server; absent under `app.request()`. */
  Bindings: Partial<HttpBindings>;
  Variables: {
    user: User;
    auth: AuthMethod;
  };
}
