/** What the share target received (title, text, url) turned into the fields of a card. */
import type { CardFields } from '../../protocol/index.ts';

export interface SharedData {
  title: string | null;
  text: string | null;
  url: string | null;
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/;

/** Reads `?title=&text=&url=` of the /share route. */
export function readSharedData(search: string): SharedData {
  const params = new URLSearchParams(search);
  return { title: params.get('title'), text: params.get('text'), url: params.get('url') };
}

function httpUrl(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * A link card when a URL was shared (some apps put it in `text`), else a note. The title falls
 * back to the page's host name, so a card is never nameless.
 */
export function cardFromShare(shared: SharedData): CardFields {
  const fromText = URL_IN_TEXT.exec(shared.text ?? '')?.[0] ?? null;
  const url = httpUrl(shared.url) ?? httpUrl(fromText);
  const text = (shared.text ?? '').replace(fromText && url ? fromText : '\u0000', '').trim();
  const base = { tags: [], collectionIds: [], pinned: false };
  if (url) {
    const title = (shared.title ?? '').trim() || new URL(url).hostname;
    return {
      ...base,
      kind: 'link',
      url,
      title: title.slice(0, 500),
      description: text ? text.slice(0, 2000) : null,
      content: '',
    };
  }
  const title = (shared.title ?? '').trim() || 'Shared note';
  return { ...base, kind: 'note', title: title.slice(0, 500), content: text };
}
