/** Calls to `/api/auth/*`: sign-up, sign-in, sign-out. */
import type { Problem } from '../../protocol/index.ts';
import type { AccountUser } from '../store/accounts.ts';

/** A refused sign-up or sign-in, with the server's problem (`email-taken`, `bad-credentials`, …). */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly problem: Problem | null,
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(problem?.detail || problem?.title || `authentication failed (${status || 'network'})`, options);
  }
}

export interface AuthAnswer {
  user: AccountUser;
  /** The workspaces the server knows for the user (envelopes or `{id}` objects). */
  workspaceIds: string[];
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** POSTs credentials to `signup` or `login`; resolves with the user or throws AuthError. */
export async function authenticate(
  fetcher: typeof fetch,
  kind: 'signup' | 'login',
  email: string,
  password: string,
): Promise<AuthAnswer> {
  let response: Response;
  try {
    response = await fetcher(`/api/auth/${kind}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new AuthError(null, 0, { cause: error });
  }
  const body = (await readJson(response)) as { user?: AccountUser; workspaces?: { id?: unknown }[] } | Problem | null;
  if (!response.ok) throw new AuthError((body as Problem | null)?.code ? (body as Problem) : null, response.status);
  const answer = body as { user?: AccountUser; workspaces?: { id?: unknown }[] } | null;
  if (!answer?.user || typeof answer.user.id !== 'string') throw new AuthError(null, response.status);
  const workspaceIds = (answer.workspaces ?? [])
    .map((workspace) => workspace?.id)
    .filter((id) => typeof id === 'string');
  return { user: { id: answer.user.id, email: answer.user.email }, workspaceIds: workspaceIds as string[] };
}

/** Ends the session on the server; a network failure is ignored (local sign-out still happens). */
export async function logout(fetcher: typeof fetch): Promise<void> {
  try {
    await fetcher('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
  } catch {
    // Offline: the cookie stays until it expires, but this browser no longer uses it.
  }
}
