/**
 * The metadata rule: what a finished preview fetch writes to its card. Better metadata wins and
 * the person always wins: the server fills empty fields and replaces its own earlier values,
 * never a value a person wrote (the per-field writers tell who wrote what).
 */
import { MEDIA_PATH, type PreviewMetadata, validateFields } from '../../protocol/index.ts';
import type { RecordAccess } from '../sync/record-access.ts';
import { applyServerWrite } from '../sync/server-write.ts';
import { liveLinkUrl, SERVER_WRITER, type StoredRecord } from '../sync/stored-record.ts';
import { type PreviewJob, type PreviewQueue, previewJobFor } from './preview-queue.ts';
import type { LinkPreview } from './unfurl.ts';

export type PreviewOutcome = { status: 'ready'; preview: LinkPreview } | { status: 'failed'; error: string };

/** The card fields a preview fills (beside `metadata`, which is the server's alone). */
export const FILLED_FIELDS = ['title', 'description', 'siteName', 'image', 'favicon', 'articleText'] as const;
type FilledField = (typeof FILLED_FIELDS)[number];

const NO_METADATA: PreviewMetadata = {
  status: 'pending',
  fetchedAt: null,
  canonicalUrl: null,
  publishedAt: null,
  error: null,
};

function hostOf(url: unknown): string | null {
  try {
    return typeof url === 'string' ? new URL(url).hostname : null;
  } catch {
    return null;
  }
}

/**
 * A value that stands in for a missing one: empty, a title that is only the link's address or
 * host name (what the page and the import write when they know no title), a favicon still the
 * data URL of an imported bookmark, or a cover that is a web address (from before previews).
 */
export function isStandIn(record: StoredRecord, field: FilledField): boolean {
  const value = record.fields[field];
  if (value === undefined || value === null || value === '') return true;
  if (typeof value !== 'string') return false;
  if (field === 'title') return value === record.fields.url || value === hostOf(record.fields.url);
  if (field === 'favicon') return value.startsWith('data:');
  if (field === 'image') return !MEDIA_PATH.test(value);
  return false;
}

/** Whether the server may write `field`: its own earlier value, or a stand-in; never a person's value. */
export function mayFill(record: StoredRecord, field: FilledField): boolean {
  return record.fieldWriters[field] === SERVER_WRITER || isStandIn(record, field);
}

/**
 * The server's earlier value of `field` came from another URL than the card's (the URL changed
 * since): a fetch that finds nothing for it clears it instead of keeping a stale value.
 */
function filledForAnotherUrl(record: StoredRecord, field: FilledField): boolean {
  return (
    record.fieldWriters[field] === SERVER_WRITER && (record.fieldVersions[field] ?? 0) < (record.fieldVersions.url ?? 0)
  );
}

/** The fields a successful fetch writes to `record`. */
export function previewChanges(record: StoredRecord, preview: LinkPreview, now: string): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const field of FILLED_FIELDS) {
    if (!mayFill(record, field)) continue;
    const found = preview[field];
    if (found !== null) changes[field] = found;
    else if (filledForAnotherUrl(record, field)) changes[field] = field === 'title' ? '' : null;
  }
  // A value that would not pass the fields' own checks is dropped, never stored.
  for (const error of validateFields('cards', changes, 'patch')) delete changes[error.pointer.split('/')[1]];
  const metadata: PreviewMetadata = {
    status: 'ready',
    fetchedAt: now,
    canonicalUrl: preview.canonicalUrl,
    publishedAt: preview.publishedAt,
    error: preview.mediaError,
  };
  return { ...changes, metadata };
}

function currentMetadata(record: StoredRecord): PreviewMetadata {
  return (record.fields.metadata as PreviewMetadata | null | undefined) ?? NO_METADATA;
}

/**
 * Settles a finished job: writes the preview (or the failure, fields untouched) to its card and
 * removes the job, inside the caller's transaction. 'stale' when a newer request replaced the
 * job, or the card is gone, deleted, or no longer links to the URL fetched: nothing is written.
 */
export function settlePreview(
  access: RecordAccess,
  queue: PreviewQueue,
  job: PreviewJob,
  outcome: PreviewOutcome,
): 'applied' | 'stale' {
  if (!queue.remove(job.cardId, job.generation)) return 'stale';
  const record = access.getRecord('cards', job.cardId);
  if (!record || record.ownerId !== job.ownerId || liveLinkUrl(record) !== job.url) return 'stale';
  if (outcome.status === 'failed') {
    const metadata = { ...currentMetadata(record), status: 'failed', fetchedAt: access.now(), error: outcome.error };
    applyServerWrite(access, record, { metadata });
    return 'applied';
  }
  for (const { hash, bytes } of outcome.preview.media) queue.grantMedia(record.ownerId, hash, bytes);
  applyServerWrite(access, record, previewChanges(record, outcome.preview, access.now()));
  return 'applied';
}

/**
 * A person's Refresh: marks the card's preview pending and queues a fetch now (a fresh job
 * still waiting or running is kept). False when the card is not theirs, not there, deleted
 * or not a link: the route answers 404 alike.
 */
export function requestRefresh(access: RecordAccess, queue: PreviewQueue, userId: string, cardId: string): boolean {
  const record = access.getRecord('cards', cardId);
  const job = record && record.ownerId === userId ? previewJobFor(record) : null;
  if (!record || !job) return false;
  const queued = queue.find(cardId);
  if (!queued || queued.attempts > 0 || queued.url !== job.url) queue.enqueue(job);
  const metadata = currentMetadata(record);
  if (metadata.status !== 'pending' || record.fields.metadata === undefined) {
    applyServerWrite(access, record, { metadata: { ...metadata, status: 'pending', error: null } });
  }
  return true;
}
