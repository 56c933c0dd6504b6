/**
 * The Burrow client: the one object the UI and `window.burrow` use. Commits go to the local
 * store first (optimistic, atomic with their outbox entry), then the client tells the engine
 * (in the service worker, or in this page when there is none) and the other tabs.
 */
import { newId, type TableName } from '../../protocol/index.ts';
import {
  type AccountDirectory,
  type AccountUser,
  accountDirectory,
  openActiveStore,
} from '../store/account-directory.ts';
import type { Change, LocalStore, RecordRef, RecordView } from '../store/types.ts';
import { type BroadcastMessage, openSyncChannel, type SyncChannel } from '../sync/broadcast.ts';
import { startEventsLeader } from '../sync/page/events-leader.ts';
import { PageEngine } from '../sync/page/page-engine.ts';
import { watchPageLifecycle } from '../sync/page/page-lifecycle.ts';
import { PresenceTracker } from '../sync/page/presence.ts';
import { WorkerLink } from '../sync/page/worker-link.ts';
import { type SyncStats, statsAsOf } from '../sync/sync-stats.ts';
import { INITIAL_STATUS, sameStatus } from '../sync/sync-status.ts';
import { systemTimers, type Timers } from '../sync/timers.ts';
import { authenticate, logout } from './auth.ts';
import type {
  Account,
  BurrowClient,
  ChangeNotice,
  ConflictResolution,
  CreateOptions,
  ListOptions,
  Presence,
  SyncStatus,
} from './client.ts';

/** Everything the client talks to, injectable for tests. */
export interface ClientDeps {
  directory: AccountDirectory;
  fetch: typeof fetch;
  /** `navigator.serviceWorker`, or null to always run the engine in the page. */
  container: ServiceWorkerContainer | null;
  channel: SyncChannel;
  timers: Timers;
  now(): number;
  random(): number;
  isOnline(): boolean;
  /** Hold the server-sent-events connection when leader (off in unit tests). */
  events: boolean;
  /** How often an open tab nudges the engine (covers Chromium's 5/15-minute sync retries). */
  pingIntervalMs: number;
  /** How long the page's own engine (no worker) lets commits gather before it drains (default COMMIT_COALESCE_MS). */
  commitCoalesceMs?: number;
}

/** Name of the workspace created for someone who starts writing before having one. */
const FIRST_WORKSPACE_NAME = 'Personal';

class Client implements BurrowClient {
  readonly ready: Promise<void>;
  private user: AccountUser | null = null;
  private store: LocalStore | null = null;
  private currentStatus: SyncStatus = INITIAL_STATUS;
  private knownWorkspaceIds: string[] = [];
  private firstWorkspace: Promise<string> | null = null;
  private stopEvents: (() => void) | null = null;
  private readonly engine: PageEngine;
  private readonly presence: PresenceTracker;
  private readonly changeListeners = new Set<(notice: ChangeNotice) => void>();
  private readonly statusListeners = new Set<(status: SyncStatus) => void>();
  private readonly presenceListeners = new Set<(presence: Presence) => void>();
  private readonly statsListeners = new Set<(stats: SyncStats) => void>();

  constructor(private readonly deps: ClientDeps) {
    const link = new WorkerLink({ container: deps.container, timers: deps.timers });
    // The page's own engine is loaded only where no worker runs one (first load, no service worker).
    this.engine = new PageEngine(link, async () =>
      (await import('../sync/page/local-engine.ts')).startLocalEngine({
        openActive: () => openActiveStore(deps.directory),
        fetch: deps.fetch,
        now: deps.now,
        random: deps.random,
        timers: deps.timers,
        isOnline: deps.isOnline,
        channel: deps.channel,
        onSynced: (change) => this.emitChange({ kind: 'synced', ...change }),
        onStatus: (status) => this.setStatus(status),
        onStats: (stats) => this.emitStats(stats),
        commitCoalesceMs: deps.commitCoalesceMs,
      }),
    );
    this.presence = new PresenceTracker({
      channel: deps.channel,
      tabId: newId(),
      now: deps.now,
      timers: deps.timers,
      onChange: (presence) => {
        for (const listener of this.presenceListeners) listener(presence);
      },
    });
    this.ready = this.start();
  }

  private async start(): Promise<void> {
    this.user = await this.deps.directory.activeAccount();
    this.store = await this.openStoreOf(this.user);
    this.deps.channel.subscribe((message) => void this.receive(message));
    this.presence.start();
    watchPageLifecycle({
      trigger: (trigger) => this.engine.trigger(trigger),
      offline: () => void this.refreshStatus(),
      leaving: () => {
        this.presence.stop();
        this.stopEvents?.();
      },
      controlled: () => this.engine.handOver(),
      container: this.deps.container,
      timers: this.deps.timers,
      pingIntervalMs: this.deps.pingIntervalMs,
    });
    if (this.user) this.startEvents();
    this.engine.trigger('ping');
    await this.refreshStatus();
  }

  private openStoreOf(user: AccountUser | null): Promise<LocalStore> {
    return this.deps.directory.openLocalStore(this.deps.directory.localDatabaseName(user?.id ?? null));
  }

  private activeStore(): LocalStore {
    if (!this.store) throw new Error('the client is not ready: await burrow.ready');
    return this.store;
  }

  // — the engine, wherever it runs —

  private async refreshStatus(): Promise<SyncStatus> {
    this.setStatus(await this.engine.status());
    return this.currentStatus;
  }

  private setStatus(status: SyncStatus): void {
    if (sameStatus(status, this.currentStatus)) return;
    this.currentStatus = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private emitStats(stats: SyncStats): void {
    for (const listener of this.statsListeners) listener(stats);
  }

  private emitChange(notice: ChangeNotice): void {
    for (const listener of this.changeListeners) listener(notice);
  }

  /** Tells this page's views and the other tabs that `records` changed here, and wakes the engine. */
  private announce(records: RecordRef[], views?: RecordView[]): void {
    if (records.length === 0) return;
    this.tellViews(records, views);
    this.engine.trigger('committed');
  }

  /** Other tabs get ids only: their notices may arrive out of order, so they read what is stored. */
  private tellViews(records: RecordRef[], views?: RecordView[]): void {
    this.emitChange({ kind: 'committed', records, ...(views ? { views } : {}) });
    this.deps.channel.post({ type: 'changed', database: this.activeStore().name, records });
  }

  private async receive(message: BroadcastMessage): Promise<void> {
    const database = this.store?.name;
    if (message.type === 'changed' && message.database === database) {
      this.emitChange({ kind: 'changed', records: message.records });
    } else if (message.type === 'synced' && message.database === database) {
      const { source, records, views, fromOtherDevices } = message;
      this.emitChange({ kind: 'synced', source, records, views, ...(fromOtherDevices ? { fromOtherDevices } : {}) });
    } else if (message.type === 'status' && message.database === database && this.engine.inWorker) {
      // Without a worker each tab's own engine reports; other tabs' engines would only echo it.
      this.setStatus(message.status);
    } else if (message.type === 'stats' && message.database === database) {
      this.emitStats(message.stats);
    } else if (message.type === 'account-changed' && message.database !== database) {
      await this.ready;
      await this.switchTo(await this.deps.directory.activeAccount(), false);
    }
  }

  private startEvents(): void {
    if (!this.deps.events) return;
    this.stopEvents = startEventsLeader({
      // A poke for this device's own push is skipped by the engine: the push moved the cursor.
      onPoke: (cursor) => void this.ready.then(() => this.engine.poke(cursor)).catch(() => undefined),
    });
  }

  // — accounts —

  private async switchTo(user: AccountUser | null, tellOthers: boolean): Promise<void> {
    this.stopEvents?.();
    this.stopEvents = null;
    const previous = this.store;
    this.user = user;
    this.store = await this.openStoreOf(user);
    this.firstWorkspace = null;
    previous?.close();
    if (tellOthers) {
      this.deps.channel.post({ type: 'account-changed', database: this.store.name });
      this.setStatus(await this.engine.accountChanged());
    } else {
      await this.refreshStatus();
    }
    if (user) this.startEvents();
    this.emitChange({ kind: 'reset' });
  }

  private async authenticate(kind: 'signup' | 'login', email: string, password: string): Promise<Account> {
    await this.ready;
    const answer = await authenticate(this.deps.fetch, kind, email, password);
    // The anonymous workspace becomes the account's first: one "Personal", every card kept.
    await this.deps.directory.claimLocalData(answer.user.id, answer.workspaceIds[0]);
    await this.deps.directory.activateAccount(answer.user);
    this.knownWorkspaceIds = answer.workspaceIds;
    await this.switchTo(answer.user, true);
    return { user: answer.user };
  }

  signUp(email: string, password: string): Promise<Account> {
    return this.authenticate('signup', email, password);
  }

  signIn(email: string, password: string): Promise<Account> {
    return this.authenticate('login', email, password);
  }

  async signOut(): Promise<void> {
    await this.ready;
    await logout(this.deps.fetch);
    await this.deps.directory.activateAccount(null);
    this.knownWorkspaceIds = [];
    await this.switchTo(null, true);
  }

  account(): Account | null {
    return this.user ? { user: { ...this.user } } : null;
  }

  // — records —

  async workspaces(): Promise<RecordView[]> {
    await this.ready;
    return (await this.activeStore().list('workspaces')).filter((workspace) => !workspace.deleted);
  }

  /** The oldest workspace here; one is created for a first write (ids are UUIDv7: oldest first). */
  private defaultWorkspaceId(): Promise<string> {
    this.firstWorkspace ??= (async () => {
      const workspaces = await this.workspaces();
      if (workspaces.length > 0) return workspaces.map((workspace) => workspace.id).sort()[0];
      if (this.knownWorkspaceIds.length > 0) return this.knownWorkspaceIds[0];
      return (await this.create('workspaces', { name: FIRST_WORKSPACE_NAME })).id;
    })();
    const pending = this.firstWorkspace;
    // A failure must not stick: the next write tries again.
    pending.catch(() => {
      if (this.firstWorkspace === pending) this.firstWorkspace = null;
    });
    return pending;
  }

  private async commit(change: Change): Promise<RecordView> {
    await this.ready;
    const view = await this.activeStore().commit(change);
    // The engine refreshes the status (the pill's pending count) as it takes the commit.
    this.announce([{ table: view.table, id: view.id }], [view]);
    return view;
  }

  async create(table: TableName, fields: Record<string, unknown>, options: CreateOptions = {}) {
    await this.ready;
    if (table === 'workspaces') {
      const id = options.id ?? newId();
      return this.commit({ op: 'create', table, id, workspaceId: id, fields });
    }
    const workspaceId = options.workspaceId ?? (await this.defaultWorkspaceId());
    return this.commit({ op: 'create', table, id: options.id ?? newId(), workspaceId, fields });
  }

  async createAll(
    records: { table: TableName; fields: Record<string, unknown> }[],
    options: { workspaceId?: string } = {},
  ): Promise<RecordView[]> {
    await this.ready;
    if (records.length === 0) return [];
    if (records.some((record) => record.table === 'workspaces')) {
      throw new Error('createAll does not create workspaces: use create');
    }
    const workspaceId = options.workspaceId ?? (await this.defaultWorkspaceId());
    const views = await this.activeStore().commitAll(
      records.map(({ table, fields }) => ({ op: 'create' as const, table, id: newId(), workspaceId, fields })),
    );
    this.announce(
      views.map((view) => ({ table: view.table, id: view.id })),
      views,
    );
    return views;
  }

  update(table: TableName, id: string, fields: Record<string, unknown>): Promise<RecordView> {
    return this.commit({ op: 'update', table, id, fields });
  }

  async remove(table: TableName, id: string): Promise<void> {
    await this.commit({ op: 'delete', table, id });
  }

  restore(table: TableName, id: string): Promise<RecordView> {
    return this.commit({ op: 'restore', table, id });
  }

  async purge(table: TableName, id: string): Promise<void> {
    await this.ready;
    await this.activeStore().purge(table, id);
    // A mutation to deliver (unless nothing was ever sent): the engine takes it like any commit.
    this.announce([{ table, id }]);
  }

  async get(table: TableName, id: string): Promise<RecordView | undefined> {
    await this.ready;
    return this.activeStore().get(table, id);
  }

  async getMany(table: TableName, ids: string[]): Promise<(RecordView | undefined)[]> {
    await this.ready;
    return this.activeStore().getMany(table, ids);
  }

  async list(table: TableName, options?: ListOptions): Promise<RecordView[]> {
    await this.ready;
    return this.activeStore().list(table, options);
  }

  // — sync —

  status(): SyncStatus {
    return this.currentStatus;
  }

  async flush(): Promise<SyncStatus> {
    await this.ready;
    this.setStatus(await this.engine.flush());
    return this.currentStatus;
  }

  async pull(): Promise<void> {
    await this.ready;
    this.setStatus(await this.engine.pull());
  }

  async syncStats(): Promise<SyncStats> {
    await this.ready;
    return statsAsOf(await this.activeStore().syncStats(), this.deps.now());
  }

  onSyncStats(listener: (stats: SyncStats) => void): () => void {
    this.statsListeners.add(listener);
    return () => this.statsListeners.delete(listener);
  }

  subscribe(listener: (notice: ChangeNotice) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onStatus(listener: (status: SyncStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onPresence(listener: (presence: Presence) => void): () => void {
    this.presenceListeners.add(listener);
    listener(this.presence.current());
    return () => this.presenceListeners.delete(listener);
  }

  setEditing(record: { table: TableName; id: string } | null): void {
    this.presence.setEditing(record);
  }

  // — outbox, conflicts, failures —

  async pendingMutations() {
    await this.ready;
    return this.activeStore().pendingEntries();
  }

  async conflicts() {
    await this.ready;
    return this.activeStore().conflictEntries();
  }

  async failed() {
    await this.ready;
    return this.activeStore().failedEntries();
  }

  async resolveConflict(conflictId: string, resolution: ConflictResolution): Promise<void> {
    await this.ready;
    this.announce(await this.activeStore().resolveConflict(conflictId, resolution));
    await this.refreshStatus();
  }

  async retryFailed(failedId: string, fields?: Record<string, unknown>): Promise<void> {
    await this.ready;
    this.announce(await this.activeStore().retryFailed(failedId, fields));
    await this.refreshStatus();
  }

  async discardFailed(failedId: string): Promise<void> {
    await this.ready;
    this.announce(await this.activeStore().discardFailed(failedId));
    await this.refreshStatus();
  }
}

/** Builds a client over explicit dependencies (tests; `createClient()` supplies the real ones). */
export function createClientWith(deps: Partial<ClientDeps> & Pick<ClientDeps, 'directory'>): BurrowClient {
  const container = typeof navigator !== 'undefined' && 'serviceWorker' in navigator ? navigator.serviceWorker : null;
  return new Client({
    fetch: (input, init) => globalThis.fetch(input, init),
    container,
    channel: deps.channel ?? openSyncChannel(),
    timers: systemTimers,
    now: () => Date.now(),
    random: () => Math.random(),
    isOnline: () => (typeof navigator === 'undefined' ? true : navigator.onLine),
    events: true,
    pingIntervalMs: 60_000,
    ...deps,
  });
}

/** The client of this page: the real local store, the controlling service worker, the real network. */
export function createClient(): BurrowClient {
  return createClientWith({ directory: accountDirectory });
}
