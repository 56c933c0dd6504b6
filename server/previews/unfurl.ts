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
  /** The hashes of the stored images, for the owner's grants. */
  media: string[];
}

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

/** Fetches and stores one image; null when it cannot be had (an image never fails a preview). */
async function storedImage(url: string | null, role: ImageRole, options: UnfurlOptions): Promise<string | null> {
  if (!url) return null;
  try {
    const fetched = await guardedGet(url, IMAGE_LIMITS, fetchOptions(options));
    return await options.media.put(await toWebp(fetched.body, role));
  } catch {
    return null;
  }
}

async function firstIcon(urls: string[], options: UnfurlOptions): Promise<string | null> {
  for (const url of urls.slice(0, MAX_ICON_TRIES)) {
    const hash = await storedImage(url, 'favicon', options);
    if (hash) return hash;
    if (options.signal?.aborted) return null;
  }
  return null;
}

/** Fetches `url`'s preview. Throws UnfurlError when the page itself cannot be had. */
export async function unfurl(url: string, options: UnfurlOptions): Promise<LinkPreview> {
  const page = await guardedGet(url, PAGE_LIMITS, fetchOptions(options));
  const { metadata, articleText } = await options.extractor.extract(
    page.body,
    page.charset,
    page.url,
    CARD_LIMITS.articleText,
  );
  const [image, favicon] = await Promise.all([
    storedImage(metadata.imageUrl, 'cover', options),
    firstIcon(metadata.iconUrls, options),
  ]);
  return {
    title: fieldText(metadata.title, CARD_LIMITS.title),
    description: fieldText(metadata.description, CARD_LIMITS.description),
    siteName: fieldText(metadata.siteName, CARD_LIMITS.siteName),
    image: image && `/media/${image}.webp`,
    favicon: favicon && `/media/${favicon}.webp`,
    articleText,
    canonicalUrl: metadata.canonicalUrl && metadata.canonicalUrl.length <= 2048 ? metadata.canonicalUrl : null,
    publishedAt: metadata.publishedAt,
    media: [image, favicon].filter((hash): hash is string => hash !== null),
  };
}
