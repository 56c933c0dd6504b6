/** The Burrow client: what the UI and the `window.burrow` console API both go through. */
import type { TableName } from '../../protocol/index.ts';
import type {
  ConflictEntry,
  ConflictResolution,
  FailedEntry,
  OutboxEntry,
  RecordRef,
  RecordView,
} from '../store/types.ts';
import type { SyncedChange } from '../sync/broadcast.ts';
import type { Presence } from '../sync/page/presence.ts';
import type { SyncStats } from '../sync/sync-stats.ts';
import type { SyncStatus } from '../sync/sync-status.ts';

// The one face the UI imports: the client, and the types of what it hands out.
export type {
  ConflictEntry,
  ConflictResolution,
  FailedEntry,
  OutboxEntry,
  RecordRef,
  RecordView,
} from '../store/types.ts';
export type { Presence } from '../sync/page/presence.ts';
export type { LatencySample, SyncStats } from '../sync/sync-stats.ts';
/** How the figures read as time goes on (the hour window, the day) and sum up: pure, for the sync panel. */
export { latencySummary, slowestPerMinute, statsAsOf } from '../sync/sync-stats.ts';
export type { SyncStatus } from '../sync/sync-status.ts';

export interface Account {
  user: { id: string; email: string };
}

/** Which records changed, and how: each kind tells its listeners what they may take without reading. */
export type ChangeNotice =
  /** This tab wrote these records; `views`: as now stored, where known without reading (its commits). */
  | { kind: 'committed'; records: RecordRef[]; views?: RecordView[] }
  /** Another tab wrote these records: read them (its notices may arrive out of order). */
  | { kind: 'changed'; records: RecordRef[] }
  /**
   * A sync changed these records: push acknowledgements (`source: 'push'`) or pulled changes
   * (`'pull'`). `views` are those it raised to a newer server version, as stored then: take each
   * where what is shown has an older version (the newer one shown is the later state); read the rest.
   */
  | ({ kind: 'synced' } & SyncedChange)
  /** Everything may have changed (another account's database is open): read again. */
  | { kind: 'reset' };

export interface CreateOptions {
  workspaceId?: string;
  /** The new record's id (a UUIDv7, `newId()`); absent: a fresh one. */
  id?: string;
}

export interface ListOptions {
  workspaceId?: string;
  includeDeleted?: boolean;
}

export interface BurrowClient {
  /** Resolves once the local database is open and the account is known. */
  ready: Promise<void>;
  signUp(email: string, password: string): Promise<Account>;
  signIn(email: string, password: string): Promise<Account>;
  signOut(): Promise<void>;
  account(): Account | null;
  workspaces(): Promise<RecordView[]>;
  /** `options.id` fixes the new record's id beforehand (an editor's draft): a second create of it is refused. */
  create(table: TableName, fields: Record<string, unknown>, options?: CreateOptions): Promise<RecordView>;
  /**
   * Creates several records of a workspace (never workspaces) in one local transaction, all or
   * none, with one change notice: what an import writes in chunks.
   */
  createAll(
    records: { table: TableName; fields: Record<string, unknown> }[],
    options?: { workspaceId?: string },
  ): Promise<RecordView[]>;
  update(table: TableName, id: string, fields: Record<string, unknown>): Promise<RecordView>;
  remove(table: TableName, id: string): Promise<void>;
  restore(table: TableName, id: string): Promise<RecordView>;
  /**
   * Deletes a record for good: it leaves the Trash here at once, and the server erases its
   * content and tells every other device (a live record is deleted and purged in one). A record
   * the server never saw (a draft not yet sent) is simply dropped: nothing is sent. An unknown or
   * already purged record is left alone.
   */
  purge(table: TableName, id: string): Promise<void>;
  get(table: TableName, id: string): Promise<RecordView | undefined>;
  /** Several records of one table in one read, in the order asked (undefined where unknown). */
  getMany(table: TableName, ids: string[]): Promise<(RecordView | undefined)[]>;
  list(table: TableName, options?: ListOptions): Promise<RecordView[]>;
  status(): SyncStatus;
  /**
   * Drains now; resolves when everything committed before the call is delivered, or delivery is
   * blocked (offline, failed, signed out). Commits made meanwhile go with their own drain.
   */
  flush(): Promise<SyncStatus>;
  pull(): Promise<void>;
  /** The sync figures of this account as of now (kept by whichever engine synced, worker or page). */
  syncStats(): Promise<SyncStats>;
  /** Told the figures after each drain or pull that talked to the server. */
  onSyncStats(listener: (stats: SyncStats) => void): () => void;

  subscribe(listener: (notice: ChangeNotice) => void): () => void;
  onStatus(listener: (status: SyncStatus) => void): () => void;
  onPresence(listener: (presence: Presence) => void): () => void;
  /** Tells other tabs which record this tab is editing (null: none). */
  setEditing(record: { table: TableName; id: string } | null): void;
  pendingMutations(): Promise<OutboxEntry[]>;
  conflicts(): Promise<ConflictEntry[]>;
  resolveConflict(conflictId: string, resolution: ConflictResolution): Promise<void>;
  failed(): Promise<FailedEntry[]>;
  /** Commits the failed change again, with the person's corrected fields. */
  retryFailed(failedId: string, fields?: Record<string, unknown>): Promise<void>;
  /** Drops the failed change; the record shows the server's copy plus what is still pending. */
  discardFailed(failedId: string): Promise<void>;
}
