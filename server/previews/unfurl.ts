/**
 * One link preview: the page fetched through the guard, what it says about itself, its readable
 * text, and its cover image and icon fetched, checked and stored by the server.
 */
import { CARD_LIMITS } from '../../protocol/index.ts';
import { type FetchOptions, guardedGet, type Resolver } from './guarded-fetch.ts';
import { type ImageRole, type MediaStore, toWebp } from './media-store.ts';
import type { PageExtractor } from './page-extractor.ts';
import { fieldText } from './text-cleaning.ts';

/** What a fetch found, cut to the fields' limits; null where the page had nothing. */
export interface LinkPreview {
  title: string | null;
  description: string | null;
  siteName: string | null;
  /** `/media/<hash>.webp` */
  image: string | null;
  favicon: string | null;
  articleText: string | null;
  canonicalUrl: string | null;
  publishedAt: string | null;
  /** The stored images and their sizes, for the owner's grants. */
  media: StoredMedia[];
  /** Why an image the page has was not kept (the person's media quota), or null. */
  mediaError: string | null;
}

/** An image stored for a preview: its hash (`/media/<hash>.webp`) and size in bytes. */
export interface StoredMedia {
  hash: string;
  bytes: number;
}

/** What a preview may still store for its card's owner; images past it are not kept. */
export interface MediaBudget {
  bytesLeft: number;
}

export const MEDIA_QUOTA_ERROR =
  'Pictures were not kept: the preview pictures stored for you have reached your limit. Remove links you no longer need, and Refresh later.';

export interface UnfurlOptions {
  allowPrivate: boolean;
  userAgent: string;
  /** The time limit of each fetch (the page, an image), redirects included. */
  timeoutMs: number;
  media: MediaStore;
  /** Reads pages off the event loop. */
  extractor: PageExtractor;
  /** Ends everything at once (the server stopping). */
  signal?: AbortSignal;
  resolve?: Resolver;
  /** Bytes of images this preview may store (the owner's quota left); unbounded when absent. */
  mediaBudget?: MediaBudget;
}

export const PAGE_LIMITS = { maxBytes: 2 * 1024 * 1024, accept: ['text/html', 'application/xhtml+xml'] } as const;
export const IMAGE_LIMITS = { maxBytes: 5 * 1024 * 1024, accept: ['image/'] } as const;
/** Icons tried before giving up on one: the page's best, then /favicon.ico. */
const MAX_ICON_TRIES = 3;

function fetchOptions(options: UnfurlOptions): FetchOptions {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  return {
    allowPrivate: options.allowPrivate,
    userAgent: options.userAgent,
    resolve: options.resolve,
    signal: options.signal ? AbortSignal.any([deadline, options.signal]) : deadline,
  };
}

/** An image not stored because the owner's media budget could not hold it. */
const OVER_BUDGET = 'over-budget';

/**
 * Fetches and stores one image within the budget; null when it cannot be had (an image never
 * fails a preview), OVER_BUDGET when it was read but the budget could not hold it.
 */
async function storedImage(
  url: string | null,
  role: ImageRole,
  options: UnfurlOptions,
): Promise<StoredMedia | typeof OVER_BUDGET | null> {
  if (!url) return null;
  let webp: Buffer;
  try {
    const fetched = await guardedGet(url, IMAGE_LIMITS, fetchOptions(options));
    webp = await toWebp(fetched.body, role);
  } catch {
    return null;
  }
  const budget = options.mediaBudget;
  if (budget) {
    if (webp.length > budget.bytesLeft) return OVER_BUDGET;
    budget.bytesLeft -= webp.length;
  }
  try {
    return { hash: await options.media.put(webp), bytes: webp.length };
  } catch {
    return null;
  }
}

async function firstIcon(urls: string[], options: UnfurlOptions): Promise<StoredMedia | typeof OVER_BUDGET | null> {
  for (const url of urls.slice(0, MAX_ICON_TRIES)) {
    const stored = await storedImage(url, 'favicon', options);
    if (stored) return stored;
    if (options.signal?.aborted) return null;
  }
  return null;
}

const kept = (stored: StoredMedia | typeof OVER_BUDGET | null): StoredMedia | null =>
  stored === OVER_BUDGET ? null : stored;

/** Fetches `url`'s preview. Throws UnfurlError when the page itself cannot be had. */
export async function unfurl(url: string, options: UnfurlOptions): Promise<LinkPreview> {
  const page = await guardedGet(url, PAGE_LIMITS, fetchOptions(options));
  const { metadata, articleText } = await options.extractor.extract(
    page.body,
    page.charset,
    page.url,
    CARD_LIMITS.articleText,
  );
  const [cover, icon] = await Promise.all([
    storedImage(metadata.imageUrl, 'cover', options),
    firstIcon(metadata.iconUrls, options),
  ]);
  const [image, favicon] = [kept(cover), kept(icon)];
  return {
    title: fieldText(metadata.title, CARD_LIMITS.title),
    description: fieldText(metadata.description, CARD_LIMITS.description),
    siteName: fieldText(metadata.siteName, CARD_LIMITS.siteName),
    image: image && `/media/${image.hash}.webp`,
    favicon: favicon && `/media/${favicon.hash}.webp`,
    articleText,
    canonicalUrl: metadata.canonicalUrl && metadata.canonicalUrl.length <= 2048 ? metadata.canonicalUrl : null,
    publishedAt: metadata.publishedAt,
    media: [image, favicon].filter((stored): stored is StoredMedia => stored !== null),
    mediaError: cover === OVER_BUDGET || icon === OVER_BUDGET ? MEDIA_QUOTA_ERROR : null,
  };
}
