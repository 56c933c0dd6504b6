/** Test support: an in-memory LocalStore with the outbox, seq and cursor rules of the real one. */
import { type Envelope, newId, type Problem, type PullResponse, type PushResponse } from '../../../protocol/index.ts';
import { toMutation } from '../../store/outbox.ts';
import type {
  BatchLimits,
  Change,
  ConflictEntry,
  FailedEntry,
  LocalStore,
  MetaKey,
  OutboxBatch,
  OutboxEntry,
  PullApplied,
  PullPageOptions,
  PushResultsOptions,
  PushStored,
  RecordRef,
  RecordView,
  StoreCounts,
} from '../../store/types.ts';

interface MemoryRecord {
  table: Envelope['table'];
  id: string;
  workspaceId: string;
  server: Envelope | null;
  fields: Record<string, unknown>;
  deleted: boolean;
}

/** Every store call, in order: tests assert on this log. */
export type StoreCall = { method: string; args: unknown[] };

/** An in-memory LocalStore for unit tests of the loops; not a model of IndexedDB transactions. */
export class MemoryStore implements LocalStore {
  readonly name: string;
  readonly calls: StoreCall[] = [];
  readonly outbox = new Map<number, OutboxEntry>();
  readonly records = new Map<string, MemoryRecord>();
  readonly conflicts: ConflictEntry[] = [];
  readonly failed: FailedEntry[] = [];
  readonly meta = new Map<MetaKey, unknown>();
  private nextKey = 1;
  private seenInResync: Set<string> | null = null;
  /** Set to make the next `nextBatch` throw (a broken database). */
  failNextBatch = false;

  constructor(name = 'memory', clientId: string = newId()) {
    this.name = name;
    this.meta.set('clientId', clientId);
    this.meta.set('seqBase', 0);
    this.meta.set('cursor', 0);
  }

  private log(method: string, ...args: unknown[]) {
    this.calls.push({ method, args });
  }

  close(): void {}

  /** Adds an update mutation of a new record, as a commit would. */
  async commitAll(changes: Change[]): Promise<RecordView[]> {
    const views: RecordView[] = [];
    for (const change of changes) views.push(await this.commit(change));
    return views;
  }

  async commit(change: Change): Promise<RecordView> {
    this.log('commit', change);
    const id = change.id ?? newId();
    const existing = this.records.get(`${change.table}/${id}`);
    const workspaceId = change.op === 'create' ? change.workspaceId : (existing?.workspaceId ?? newId());
    const fields = 'fields' in change && change.fields ? change.fields : {};
    const record: MemoryRecord = existing ?? {
      table: change.table,
      id,
      workspaceId,
      server: null,
      fields: {},
      deleted: false,
    };
    record.fields = { ...record.fields, ...fields };
    record.deleted = change.op === 'delete';
    this.records.set(`${change.table}/${id}`, record);
    const key = this.nextKey++;
    this.outbox.set(key, {
      key,
      id: newId(),
      table: change.table,
      op: change.op,
      recordId: id,
      workspaceId,
      baseVersion: record.server?.version ?? 0,
      fields: change.op === 'delete' ? undefined : fields,
      clientTime: new Date(0).toISOString(),
      attempts: 0,
    });
    return this.view(record);
  }

  private view(record: MemoryRecord): RecordView {
    const pending = [...this.outbox.values()].some((entry) => entry.recordId === record.id);
    return {
      id: record.id,
      table: record.table,
      workspaceId: record.workspaceId,
      version: record.server?.version ?? 0,
      deleted: record.deleted,
      fields: record.fields,
      pending,
      conflict: this.conflicts.some((entry) => entry.recordId === record.id),
    };
  }

  async getMany(table: Envelope['table'], ids: string[]) {
    return Promise.all(ids.map((id) => this.get(table, id)));
  }

  async get(table: Envelope['table'], id: string) {
    const record = this.records.get(`${table}/${id}`);
    return record ? this.view(record) : undefined;
  }
  async list(table: Envelope['table']) {
    return [...this.records.values()].filter((record) => record.table === table).map((record) => this.view(record));
  }
  async purge() {}
  async pendingEntries() {
    return [...this.outbox.values()];
  }
  async conflictEntries() {
    return this.conflicts;
  }
  async failedEntries() {
    return this.failed;
  }
  async resolveConflict(): Promise<RecordRef[]> {
    return [];
  }
  async retryFailed(): Promise<RecordRef[]> {
    return [];
  }
  async discardFailed(): Promise<RecordRef[]> {
    return [];
  }
  async counts(): Promise<StoreCounts> {
    this.log('counts');
    return this.countsNow();
  }
  private countsNow(): StoreCounts {
    const entries = [...this.outbox.values()];
    const retrying = entries.filter((entry) => entry.attempts >= 3);
    const head = entries[0];
    return {
      pending: entries.length,
      retrying: retrying.length,
      failed: this.failed.length,
      conflicts: this.conflicts.length,
      nextAttemptAt: head?.nextAttemptAt ?? null,
      lastError: head?.lastError ?? null,
      cursor: (this.meta.get('cursor') as number | undefined) ?? 0,
      lastSyncAt: (this.meta.get('lastSyncAt') as string | undefined) ?? null,
    };
  }
  async getMeta<T>(key: MetaKey): Promise<T | undefined> {
    return this.meta.get(key) as T | undefined;
  }
  async setMeta(key: MetaKey, value: unknown) {
    this.meta.set(key, value);
  }

  async nextBatch(maxCount: number, maxBytes: number, afterKey = 0): Promise<OutboxBatch | null> {
    this.log('nextBatch', maxCount, maxBytes, afterKey);
    if (this.failNextBatch) {
      this.failNextBatch = false;
      throw new Error('database closed');
    }
    return this.take({ maxCount, maxBytes }, afterKey);
  }

  private take({ maxCount, maxBytes }: BatchLimits, afterKey: number): OutboxBatch | null {
    const seqBase = this.meta.get('seqBase') as number;
    const entries: OutboxEntry[] = [];
    let bytes = 0;
    const after = [...this.outbox.values()].filter((entry) => entry.key > afterKey).sort((a, b) => a.key - b.key);
    for (const entry of after) {
      const size = JSON.stringify(entry).length;
      if (entries.length >= maxCount || (entries.length > 0 && bytes + size > maxBytes)) break;
      entries.push({ ...entry });
      bytes += size;
    }
    if (entries.length === 0) return null;
    return {
      clientId: this.meta.get('clientId') as string,
      entries,
      more: entries.length < after.length,
      mutations: entries.map((entry) => toMutation(entry, seqBase)),
    };
  }

  async applyPushResults(
    batch: OutboxBatch,
    response: PushResponse,
    { counts, perTransaction }: PushResultsOptions = {},
  ): Promise<PushStored> {
    this.log(
      'applyPushResults',
      batch.entries.map((entry) => entry.key),
      response.results.map((result) => result.status),
      { counts: counts === true, perTransaction },
    );
    const changed: RecordRef[] = [];
    const views: RecordView[] = [];
    response.results.forEach((result, index) => {
      const entry = batch.entries[index];
      if (!this.outbox.delete(entry.key)) return;
      changed.push({ table: entry.table, id: entry.recordId });
      if (result.status === 'conflict') {
        const mine = entry.fields ?? {};
        this.conflicts.push({
          id: entry.id,
          table: entry.table,
          recordId: entry.recordId,
          workspaceId: entry.workspaceId,
          op: entry.op,
          code: result.code,
          conflicts: (result.conflicts ?? []).map(({ field, ...value }) => ({
            field,
            client: mine[field] ?? null,
            server: 'server' in value ? value.server : undefined,
          })),
          mine,
          theirs: null,
          at: '',
        });
      } else if (result.status === 'rejected') {
        this.failed.push({ ...this.failedFrom(entry), error: result.error });
      } else if (result.stamp) {
        // Not the real store's rule (it proves the copy by `fromVersion`): the stamp over what was sent.
        const before = this.records.get(`${entry.table}/${entry.recordId}`)?.server?.fields ?? {};
        const { stamp } = result;
        const view = this.acceptServer({
          table: entry.table,
          id: entry.recordId,
          workspaceId: entry.workspaceId,
          ...stamp,
          createdAt: stamp.updatedAt,
          fields: { ...before, ...(entry.fields ?? {}) },
        });
        if (view) views.push(view);
      }
    });
    const cursor = (this.meta.get('cursor') as number | undefined) ?? 0;
    return { changed, views, cursor, counts: counts ? this.countsNow() : null };
  }

  private failedFrom(entry: OutboxEntry): Omit<FailedEntry, 'error'> {
    const { id, table, recordId, workspaceId, op, fields } = entry;
    return { id, table, recordId, workspaceId, op, fields, at: '' };
  }

  /** Takes a server copy at least as new; returns the record's view when its version rose. */
  private acceptServer(envelope: Envelope): RecordView | undefined {
    const key = `${envelope.table}/${envelope.id}`;
    const record = this.records.get(key) ?? {
      table: envelope.table,
      id: envelope.id,
      workspaceId: envelope.workspaceId,
      server: null,
      fields: {},
      deleted: false,
    };
    if (record.server && record.server.version > envelope.version) return undefined;
    const raised = (record.server?.version ?? 0) < envelope.version;
    record.server = envelope;
    // Rebase: the server copy plus this record's pending fields, in seq order.
    record.fields = { ...envelope.fields };
    record.deleted = envelope.deleted;
    for (const entry of [...this.outbox.values()].filter((pending) => pending.recordId === envelope.id)) {
      Object.assign(record.fields, entry.fields ?? {});
      if (entry.op === 'delete') record.deleted = true;
    }
    this.records.set(key, record);
    return raised ? this.view(record) : undefined;
  }

  async recordTransientFailure(key: number, error: string, nextAttemptAt: number) {
    this.log('recordTransientFailure', key, error, nextAttemptAt);
    const entry = this.outbox.get(key);
    if (!entry) return;
    entry.attempts += 1;
    entry.lastError = error;
    entry.nextAttemptAt = nextAttemptAt;
  }

  private oldestKey(): number {
    return Math.min(...this.outbox.keys());
  }

  async alignSeq(expectedSeq: number) {
    this.log('alignSeq', expectedSeq);
    this.meta.set('seqBase', this.oldestKey() - expectedSeq);
  }

  async renewClientId(): Promise<string> {
    this.log('renewClientId');
    const clientId = newId();
    this.meta.set('clientId', clientId);
    this.meta.set('seqBase', this.oldestKey() - 1);
    return clientId;
  }

  async failEntry(key: number, error: Problem): Promise<RecordRef[]> {
    this.log('failEntry', key, error.code);
    const entry = this.outbox.get(key);
    if (!entry) return [];
    this.outbox.delete(key);
    this.failed.push({ ...this.failedFrom(entry), error });
    return [{ table: entry.table, id: entry.recordId }];
  }

  async applyPullPage(page: PullResponse, options?: PullPageOptions): Promise<PullApplied> {
    this.log('applyPullPage', page.changes.length, page.cursor, ...(options ? [options] : []));
    const { syncedAt, counts } = options ?? {};
    if (syncedAt !== undefined) this.meta.set('lastSyncAt', syncedAt);
    const views: RecordView[] = [];
    for (const envelope of page.changes) {
      const view = this.acceptServer(envelope);
      if (view) views.push(view);
      this.seenInResync?.add(`${envelope.table}/${envelope.id}`);
    }
    this.meta.set('cursor', page.cursor);
    const changed = page.changes.map((envelope) => ({ table: envelope.table, id: envelope.id }));
    const read = counts ? this.countsNow() : null;
    return { changed, views, fromElsewhere: changed.length, cursor: page.cursor, counts: read };
  }

  async beginResync() {
    this.log('beginResync');
    this.meta.set('cursor', 0);
    this.seenInResync = new Set();
  }

  async finishResync(): Promise<RecordRef[]> {
    this.log('finishResync');
    const removed: RecordRef[] = [];
    const pendingIds = new Set([...this.outbox.values()].map((entry) => entry.recordId));
    for (const [key, record] of this.records) {
      if (this.seenInResync?.has(key) || pendingIds.has(record.id)) continue;
      this.records.delete(key);
      removed.push({ table: record.table, id: record.id });
    }
    this.seenInResync = null;
    return removed;
  }

  /** Names of the store methods called so far, in order. */
  methods(): string[] {
    return this.calls.map((call) => call.method);
  }
}
