/**
 * The sync ports over what a PostgreSQL write transaction loaded: every read a group of writes
 * will make is answered from memory, every change is kept in memory and written at the end
 * with a few multi-row statements (`flush-writes.ts`). Each write of a group works in a layer
 * of its own (`Layered`), kept when it succeeds and dropped when it throws, so one write's
 * refusal (a seq-gap) undoes that write only. A read of something not loaded is a bug, and
 * throws instead of answering "absent".
 */
import type { OriginalOutcome, TableName } from '../../../protocol/index.ts';
import { type PreviewJob, type PreviewQueue, previewJobFor } from '../../previews/preview-queue.ts';
import type { OutcomeLog } from '../../sync/outcome-log.ts';
import { stampOf } from '../../sync/push-results.ts';
import { fieldsGrowth } from '../../sync/quota.ts';
import type { OwnedStamp, RecordAccess } from '../../sync/record-access.ts';
import { liveLinkUrl, type StoredRecord } from '../../sync/stored-record.ts';
import type { ClientBinding, IdempotentEntry, WritePorts } from '../../sync/sync-ports.ts';
import { Layered } from './layered.ts';

export function recordKey(table: string, id: string): string {
  return `${table}\u0000${id}`;
}

export function pairKey(a: string, b: string | number): string {
  return `${a}\u0000${b}`;
}

export interface KeptOutcome {
  mutationId: string;
  outcome: OriginalOutcome;
}

export interface NewUser {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: string;
}

class NotLoadedError extends Error {
  override name = 'NotLoadedError';
}

function notLoaded(what: string): never {
  throw new NotLoadedError(`${what} was not loaded for this write`);
}

/** What a transaction run again loads besides what its writes name. */
export interface MoreToLoad {
  /** Record keys to load with their fields, whatever their size. */
  records: string[];
  /** (workspace, normalised URL) pairs whose live link cards to load. */
  links: [string, string][];
}

/**
 * A write read what the load did not bring, though it may: a record whose fields were withheld
 * (`load-writes.ts`: past the budget by the load's estimate, which counts every record named),
 * or the link cards of a URL no write named (a restore or a kind change that makes a card a link
 * again). Not a refusal: the transaction runs again with `more` loaded as well.
 */
export class LoadMoreError extends Error {
  override name = 'LoadMoreError';
  constructor(readonly more: MoreToLoad) {
    super('a write read what was not loaded for it');
  }
}

/** A record the write in progress has read or written: what it counted, and whether it wrote it. */
interface Touched {
  bytes: number;
  written: boolean;
}

export class WorkingSet implements RecordAccess {
  readonly records = new Layered<StoredRecord | null>();
  /** Records to write: `isNew` when the database does not have them yet. */
  readonly recordWrites = new Layered<{ isNew: boolean }>();
  readonly owners = new Layered<string | null>();
  readonly ownerClaims = new Layered<string>();
  /** Keys of the live link cards the database held per (workspace, url), for `findLiveLinkCard`. */
  readonly linkCards = new Map<string, string[]>();
  readonly clients = new Layered<ClientBinding | null>();
  readonly clientWrites = new Layered<true>();
  readonly idempotent = new Layered<IdempotentEntry | null>();
  readonly idempotentWrites = new Layered<true>();
  readonly outcomes = new Layered<KeptOutcome | null>();
  readonly outcomeWrites = new Layered<true>();
  readonly emails = new Layered<boolean>();
  readonly newUsers = new Layered<NewUser>();
  readonly storageBytes = new Layered<number>();
  readonly changedOwners = new Layered<true>();
  /** Preview jobs of the cards the writes name, as loaded and changed (null: none queued). */
  readonly previewJobs = new Layered<PreviewJob | null>();
  readonly previewJobWrites = new Layered<true>();
  /** (user, image hash) pairs to grant, with the image's bytes. */
  readonly mediaGrants = new Layered<number>();
  /** The length of each loaded record's stored fields (JSON text), while memory still holds it as loaded. */
  readonly storedSizes = new Map<string, number>();
  /** Stamps of the records loaded without their fields (`LoadMoreError`). */
  private readonly withheld = new Map<string, OwnedStamp>();
  /** What the write in progress has touched, each record counted once (`touchedBytes`). */
  private touched = new Map<string, Touched>();
  touchedBytes = 0;
  private seq: number;
  private keptSeq: number;
  private readonly timestamp: string;

  constructor(
    startSeq: number,
    readonly nowMs: number,
    private readonly quotaBytes: number,
  ) {
    this.seq = startSeq;
    this.keptSeq = startSeq;
    this.timestamp = new Date(nowMs).toISOString();
  }

  /** The write in progress succeeded: its changes join the group's. */
  keep(): void {
    for (const layer of this.layers()) layer.keep();
    this.keptSeq = this.seq;
    this.startWrite();
  }

  /** The write in progress threw: forget its changes (its seqs are reused). */
  drop(): void {
    for (const layer of this.layers()) layer.drop();
    this.seq = this.keptSeq;
    this.startWrite();
  }

  /** The next write of the group counts its own touched bytes, as it would alone. */
  private startWrite(): void {
    this.touched = new Map();
    this.touchedBytes = 0;
  }

  private layers(): Layered<unknown>[] {
    return [
      this.records,
      this.recordWrites,
      this.owners,
      this.ownerClaims,
      this.clients,
      this.clientWrites,
      this.idempotent,
      this.idempotentWrites,
      this.outcomes,
      this.outcomeWrites,
      this.emails,
      this.newUsers,
      this.storageBytes,
      this.changedOwners,
      this.previewJobs,
      this.previewJobWrites,
      this.mediaGrants,
    ];
  }

  /** The global seq after the kept writes. */
  get cursor(): number {
    return this.seq;
  }

  // — RecordAccess —

  workspaceOwner(workspaceId: string): string | undefined {
    if (!this.owners.has(workspaceId)) notLoaded(`the owner of workspace ${workspaceId}`);
    return this.owners.get(workspaceId) ?? undefined;
  }

  withhold(key: string, stamp: OwnedStamp): void {
    this.withheld.set(key, stamp);
  }

  getRecord(table: TableName, id: string): StoredRecord | undefined {
    const key = recordKey(table, id);
    if (!this.records.has(key)) {
      if (this.withheld.has(key)) throw new LoadMoreError({ records: [...this.touched.keys(), key], links: [] });
      notLoaded(`record ${table}/${id}`);
    }
    const record = this.records.get(key) ?? undefined;
    this.countRead(key, record);
    return record;
  }

  getStamp(table: string, id: string): OwnedStamp | undefined {
    const key = recordKey(table, id);
    const withheld = this.records.has(key) ? undefined : this.withheld.get(key);
    if (withheld) return withheld;
    if (!this.records.has(key)) notLoaded(`record ${table}/${id}`);
    const record = this.records.get(key);
    return record ? { ...stampOf(record), ownerId: record.ownerId } : undefined;
  }

  /** Counts a record read by the write in progress, once, by its stored fields' length. */
  private countRead(key: string, record: StoredRecord | undefined): void {
    if (this.touched.has(key)) return;
    const bytes = record ? (this.storedSizes.get(key) ?? JSON.stringify(record.fields).length) : 0;
    this.touched.set(key, { bytes, written: false });
    this.touchedBytes += bytes;
  }

  findLiveLinkCard(workspaceId: string, url: string): StoredRecord | undefined {
    const stored = this.linkCards.get(pairKey(workspaceId, url));
    if (!stored) throw new LoadMoreError({ records: [], links: [[workspaceId, url]] });
    // The database's cards as they are now in memory, then the cards written here.
    for (const key of [...stored, ...this.recordWrites.keys()]) {
      const record = this.records.get(key);
      if (record && record.workspaceId === workspaceId && liveLinkUrl(record) === url) {
        this.countRead(key, record);
        return record;
      }
    }
    return undefined;
  }

  saveRecord(record: StoredRecord, isNew: boolean): void {
    const key = recordKey(record.table, record.id);
    const before = this.records.get(key);
    this.addBytes(record.ownerId, fieldsGrowth(before?.fields ?? null, record.fields));
    this.countWrite(key, record, before);
    this.records.set(key, record);
    // Memory no longer holds it as loaded: a later write's read measures what it holds.
    this.storedSizes.delete(key);
    // A record created here and changed again is still one insert.
    if (!this.recordWrites.has(key)) this.recordWrites.set(key, { isNew });
    this.changedOwners.set(record.ownerId, true);
  }

  /** Counts a record written by the write in progress, once however often it changes (as SQLite's port does). */
  private countWrite(key: string, record: StoredRecord, before: StoredRecord | null | undefined): void {
    const known = this.touched.get(key);
    if (known?.written) return;
    const bytes = known && before ? known.bytes : JSON.stringify(record.fields).length;
    this.touched.set(key, { bytes, written: true });
    this.touchedBytes += bytes;
  }

  enqueuePreview(record: StoredRecord): void {
    const job = previewJobFor(record);
    if (job) this.previewQueue.enqueue(job);
  }

  /** The queue as SQLite's statements keep it, over the loaded jobs: a new request raises the generation. */
  readonly previewQueue: PreviewQueue = {
    enqueue: (job) => {
      const current = this.previewJob(job.cardId);
      this.previewJobs.set(job.cardId, { ...job, generation: (current?.generation ?? 0) + 1, attempts: 0 });
      this.previewJobWrites.set(job.cardId, true);
    },
    find: (cardId) => this.previewJob(cardId) ?? undefined,
    remove: (cardId, generation) => {
      if (this.previewJob(cardId)?.generation !== generation) return false;
      this.previewJobs.set(cardId, null);
      this.previewJobWrites.set(cardId, true);
      return true;
    },
    grantMedia: (userId, hash, bytes) => this.mediaGrants.set(pairKey(userId, hash), bytes),
  };

  private previewJob(cardId: string): PreviewJob | null {
    if (!this.previewJobs.has(cardId)) notLoaded(`the preview job of card ${cardId}`);
    return this.previewJobs.get(cardId) ?? null;
  }

  claimWorkspace(workspaceId: string, ownerId: string): void {
    this.owners.set(workspaceId, ownerId);
    this.ownerClaims.set(workspaceId, ownerId);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  now(): string {
    return this.timestamp;
  }

  storageRoom(userId: string): number {
    if (this.quotaBytes === 0) return Number.POSITIVE_INFINITY;
    return this.quotaBytes - this.bytesOf(userId);
  }

  private bytesOf(userId: string): number {
    const bytes = this.storageBytes.get(userId);
    return bytes === undefined ? notLoaded(`the storage use of user ${userId}`) : bytes;
  }

  private addBytes(userId: string, delta: number): void {
    // Only the writing user's records change, and their use was loaded with their lock.
    if (delta !== 0 || this.storageBytes.has(userId)) this.storageBytes.set(userId, this.bytesOf(userId) + delta);
  }

  // — the other ports —

  ports(): WritePorts {
    const outcomes: OutcomeLog = {
      remember: (clientId, seq, mutationId, outcome) => {
        this.outcomes.set(pairKey(clientId, seq), { mutationId, outcome });
        this.outcomeWrites.set(pairKey(clientId, seq), true);
      },
      find: (clientId, seq, mutationId) => {
        const key = pairKey(clientId, seq);
        if (!this.outcomes.has(key)) notLoaded(`the outcome of ${clientId}/${seq}`);
        const kept = this.outcomes.get(key);
        return kept && kept.mutationId === mutationId ? kept.outcome : undefined;
      },
    };
    return {
      records: this,
      outcomes,
      clients: {
        find: (clientId) => {
          if (!this.clients.has(clientId)) notLoaded(`client ${clientId}`);
          return this.clients.get(clientId) ?? undefined;
        },
        save: (clientId, userId, lastSeq) => {
          this.clients.set(clientId, { userId, lastSeq });
          this.clientWrites.set(clientId, true);
        },
      },
      idempotency: {
        find: (userId, key) => {
          const pair = pairKey(userId, key);
          if (!this.idempotent.has(pair)) notLoaded(`the Idempotency-Key ${key}`);
          return this.idempotent.get(pair) ?? undefined;
        },
        save: (userId, key, entry) => {
          this.idempotent.set(pairKey(userId, key), entry);
          this.idempotentWrites.set(pairKey(userId, key), true);
        },
      },
      users: {
        emailTaken: (email) => {
          if (!this.emails.has(email)) notLoaded(`the email ${email}`);
          return this.emails.get(email) === true;
        },
        insert: (user) => {
          this.emails.set(user.email, true);
          this.newUsers.set(user.id, { ...user, createdAt: this.timestamp });
          this.storageBytes.set(user.id, 0);
        },
      },
      previews: this.previewQueue,
      cursor: () => this.cursor,
    };
  }
}
