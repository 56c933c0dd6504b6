/** Test accounts: a fresh user with a workspace to write in, for the server tests. */
import { newId } from '../../protocol/index.ts';
import { type ApiClient, MutationBuilder } from '../support/api-client.ts';

export interface TestAccount {
  email: string;
  password: string;
  userId: string;
  workspaceId: string;
}

/** A unique email on a reserved domain (RFC 2606), so no test ever mails anyone. */
export function uniqueEmail(): string {
  return `user-${newId()}@example.test`;
}

/**
 * Signs `client` up as a new user and returns a workspace it may write: the one signup
 * created, or else one created by a separate client id (so `client`'s seqs still start at 1).
 */
export async function signUpWithWorkspace(client: ApiClient): Promise<TestAccount> {
  const email = uniqueEmail();
  const password = 'correct horse battery staple';
  const response = await client.signUp(email, password);
  if (response.status !== 201) throw new Error(`signup answered ${response.status}: ${JSON.stringify(response.body)}`);
  const userId = response.body.user.id;
  const existing = response.body.workspaces[0];
  if (existing) return { email, password, userId, workspaceId: existing.id };

  const workspaceId = newId();
  const setup = new MutationBuilder();
  const created = await client.push([setup.create('workspaces', workspaceId, { name: 'Tests' }, workspaceId)], {
    clientId: newId(),
  });
  if (created.status !== 200 || created.body.results[0]?.status !== 'applied') {
    throw new Error(`creating a workspace answered ${created.status}: ${JSON.stringify(created.body)}`);
  }
  return { email, password, userId, workspaceId };
}
