/** The port the preview rules reach the durable job queue through, inside a write's transaction. */
import { liveLinkUrl, type StoredRecord } from '../sync/stored-record.ts';

/** A card's preview fetch as queued: one per card, its generation raised by each new request. */
export interface PreviewJob {
  cardId: string;
  ownerId: string;
  /** The normalised URL to fetch. */
  url: string;
  /** Its host name, for politeness per host. */
  host: string;
  generation: number;
  /** Failed attempts so far. */
  attempts: number;
}

/** What a new request for a card's preview puts in the queue. */
export type NewPreviewJob = Pick<PreviewJob, 'cardId' | 'ownerId' | 'url' | 'host'>;

/** The queue operations the rules need inside one transaction (SQL lives in the storage adapter). */
export interface PreviewQueue {
  /** Queues a fetch now, replacing the card's job (generation raised, attempts and lease cleared). */
  enqueue(job: NewPreviewJob): void;
  /** The card's job, if one is queued or running. */
  find(cardId: string): PreviewJob | undefined;
  /** Removes the job when it is still at `generation`; false when a newer request replaced it. */
  remove(cardId: string, generation: number): boolean;
  /** Lets `userId` read the stored image `hash` (`/media/<hash>.webp`), counting its `bytes` against their media quota. */
  grantMedia(userId: string, hash: string, bytes: number): void;
}

/** The job of a live link card, or null for any other record. */
export function previewJobFor(record: StoredRecord): NewPreviewJob | null {
  const url = liveLinkUrl(record);
  if (url === null) return null;
  return { cardId: record.id, ownerId: record.ownerId, url, host: new URL(url).hostname };
}
