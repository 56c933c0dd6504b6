/** An HTML page as a server-side DOM (linkedom): decoded with the right charset, within a size bound. */
import { TextDecoder } from 'node:util';
import { parseHTML } from 'linkedom';

/** The DOM linkedom builds; typed by linkedom, close enough to the browser's for reading. */
export type HtmlDocument = ReturnType<typeof parseHTML>['document'];

/** The charset a page names in its first bytes (`<meta charset>` or http-equiv), if any. */
function sniffCharset(head: string): string | null {
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.-]+)/i.exec(head);
  return match ? match[1] : null;
}

function decoderFor(label: string | null): TextDecoder {
  try {
    return new TextDecoder(label ?? 'utf-8');
  } catch {
    // An unknown label: the web's default for HTML without one is close enough.
    return new TextDecoder('utf-8');
  }
}

/**
 * The page's text: the charset of the Content-Type header wins, then a BOM, then the page's
 * own `<meta charset>` in its first 1024 bytes, then UTF-8.
 */
export function decodeHtml(body: Buffer, headerCharset: string | null): string {
  if (headerCharset) return decoderFor(headerCharset).decode(body);
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return decoderFor('utf-8').decode(body);
  return decoderFor(sniffCharset(body.subarray(0, 1024).toString('latin1'))).decode(body);
}

export function parseHtmlDocument(html: string): HtmlDocument {
  return parseHTML(html).document;
}
