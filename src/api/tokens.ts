/** Calls to `/api/auth/tokens`: list, create and revoke API tokens (from the signed-in session). */
import type { Problem } from '../../protocol/index.ts';
import { AuthError } from './auth.ts';

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  /** ISO 8601; null: never expires. */
  expiresAt: string | null;
}

/** A new token with its secret, which the server shows only this once. */
export interface CreatedApiToken extends ApiToken {
  token: string;
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api/auth/tokens${path}`, { ...init, credentials: 'same-origin' });
  } catch (error) {
    throw new AuthError(null, 0, { cause: error });
  }
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new AuthError((body as Problem | null)?.code ? (body as Problem) : null, response.status);
  return body as T;
}

export async function listTokens(): Promise<ApiToken[]> {
  return (await call<{ items: ApiToken[] }>('')).items;
}

export function createToken(name: string, expiresAt: string | null): Promise<CreatedApiToken> {
  const body = JSON.stringify(expiresAt ? { name, expiresAt } : { name });
  return call('', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

export function revokeToken(id: string): Promise<void> {
  return call(`/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
