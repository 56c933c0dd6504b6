/**
 * What a page says about itself: title, description, site name, cover image, icons, canonical
 * URL and publication time, from Open Graph, Twitter cards, plain HTML and JSON-LD.
 */
import type { HtmlDocument } from './html-document.ts';

export interface PageMetadata {
  title: string | null;
  description: string | null;
  siteName: string | null;
  /** Absolute http(s) URL of the cover image. */
  imageUrl: string | null;
  /** Absolute http(s) URLs of icons, best first (ending with /favicon.ico). */
  iconUrls: string[];
  canonicalUrl: string | null;
  /** ISO 8601 UTC. */
  publishedAt: string | null;
}

/** JSON-LD is read only when it is small: a page's scripts can be large, and this is a bonus. */
const MAX_JSON_LD_CHARS = 100_000;

type Json = Record<string, unknown>;

function metaContent(document: HtmlDocument, names: string[]): string | null {
  for (const name of names) {
    for (const element of document.querySelectorAll(`meta[property="${name}"], meta[name="${name}"]`)) {
      const content = element.getAttribute('content')?.trim();
      if (content) return content;
    }
  }
  return null;
}

function absoluteHttpUrl(raw: string | null | undefined, base: string): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function isoTime(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const time = Date.parse(raw.trim());
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** The JSON-LD objects of the page, flattened from arrays and `@graph`. */
function jsonLdObjects(document: HtmlDocument): Json[] {
  const objects: Json[] = [];
  const collect = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') {
      objects.push(value as Json);
      const graph = (value as Json)['@graph'];
      if (graph) collect(graph);
    }
  };
  for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
    const text = script.textContent ?? '';
    if (text.length > MAX_JSON_LD_CHARS) continue;
    try {
      collect(JSON.parse(text));
    } catch {
      // Broken JSON-LD is common; the other sources still count.
    }
  }
  return objects;
}

function jsonLdString(objects: Json[], read: (object: Json) => unknown): string | null {
  for (const object of objects) {
    let value = read(object);
    if (Array.isArray(value)) value = value[0];
    if (value && typeof value === 'object') value = (value as Json).url ?? (value as Json).name;
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return null;
}

/** Icons from `<link rel>`: larger raster icons first, SVG and mask icons last, then /favicon.ico. */
function iconUrls(document: HtmlDocument, base: string): string[] {
  const candidates: { url: string; score: number }[] = [];
  for (const link of document.querySelectorAll('link[rel][href]')) {
    const rel = (link.getAttribute('rel') ?? '').toLowerCase().split(/\s+/);
    const isIcon =
      rel.includes('icon') || rel.includes('apple-touch-icon') || rel.includes('apple-touch-icon-precomposed');
    const url = absoluteHttpUrl(link.getAttribute('href'), base);
    if (!isIcon || !url) continue;
    const size = Number(/(\d+)x\d+/.exec(link.getAttribute('sizes') ?? '')?.[1] ?? 0);
    const svg = /\.svg(\?|$)/i.test(url) || (link.getAttribute('type') ?? '').includes('svg');
    // About 64 px is what a card shows; past that, bigger only costs bytes.
    const score = svg ? 1 : rel.includes('icon') ? 50 + Math.min(size, 128) : 40 + Math.min(size, 128) / 2;
    candidates.push({ url, score });
  }
  candidates.sort((a, b) => b.score - a.score);
  const urls = [...new Set(candidates.map((candidate) => candidate.url))];
  const fallback = new URL('/favicon.ico', base).href;
  return urls.includes(fallback) ? urls : [...urls, fallback];
}

/** Reads `document`, a page fetched from `pageUrl` (relative URLs resolve against it, or its `<base>`). */
export function readPageMetadata(document: HtmlDocument, pageUrl: string): PageMetadata {
  const base = absoluteHttpUrl(document.querySelector('base[href]')?.getAttribute('href'), pageUrl) ?? pageUrl;
  const ld = jsonLdObjects(document);
  const title =
    metaContent(document, ['og:title', 'twitter:title']) ??
    document.querySelector('title')?.textContent ??
    jsonLdString(ld, (object) => object.headline ?? object.name);
  const description =
    metaContent(document, ['og:description', 'twitter:description', 'description']) ??
    jsonLdString(ld, (object) => object.description);
  const siteName =
    metaContent(document, ['og:site_name', 'application-name', 'apple-mobile-web-app-title']) ??
    jsonLdString(ld, (object) => (object['@type'] === 'WebSite' ? object.name : (object.publisher as Json)?.name));
  const image =
    metaContent(document, ['og:image:secure_url', 'og:image:url', 'og:image', 'twitter:image', 'twitter:image:src']) ??
    document.querySelector('link[rel="image_src"]')?.getAttribute('href') ??
    jsonLdString(ld, (object) => object.image ?? object.thumbnailUrl);
  const canonical =
    document.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? metaContent(document, ['og:url']);
  const published =
    metaContent(document, ['article:published_time', 'og:published_time', 'datePublished', 'date', 'pubdate']) ??
    jsonLdString(ld, (object) => object.datePublished) ??
    document.querySelector('article time[datetime]')?.getAttribute('datetime');
  return {
    title: title ?? null,
    description,
    siteName,
    imageUrl: absoluteHttpUrl(image, base),
    iconUrls: iconUrls(document, base),
    canonicalUrl: absoluteHttpUrl(canonical, base),
    publishedAt: isoTime(published),
  };
}
