/** The local store's public surface: open a store, the account directory, errors and types. */
export { type AccountUser, activateAccount, activeAccount, claimLocalData, localDatabaseName } from './accounts.ts';
export { applyPullPages } from './apply-pull.ts';
export { NotFoundError, ValidationError } from './errors.ts';
export { openLocalStore } from './open-local-store.ts';
export { RETRYING_AFTER_ATTEMPTS } from './queries.ts';
export type * from './types.ts';
