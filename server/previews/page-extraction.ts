/** What one page yields (its metadata and readable text), computed by `extractPage` in a worker thread. */
import { readArticleText } from './article-text.ts';
import { decodeHtml, parseHtmlDocument } from './html-document.ts';
import { type PageMetadata, readPageMetadata } from './page-metadata.ts';

export interface ExtractRequest {
  id: number;
  body: Uint8Array;
  charset: string | null;
  url: string;
  maxTextCharacters: number;
}

/** Posted twice per request: first the metadata (cheap), then the article text (Readability is not). */
export type ExtractMessage =
  | { id: number; kind: 'metadata'; metadata: PageMetadata }
  | { id: number; kind: 'text'; articleText: string | null }
  | { id: number; kind: 'error'; message: string };

/** Runs the extraction of one page, reporting each part as soon as it is known. */
export function extractPage(request: ExtractRequest, post: (message: ExtractMessage) => void): void {
  const { id } = request;
  try {
    const document = parseHtmlDocument(decodeHtml(Buffer.from(request.body), request.charset));
    post({ id, kind: 'metadata', metadata: readPageMetadata(document, request.url) });
    post({ id, kind: 'text', articleText: readArticleText(document, request.maxTextCharacters) });
  } catch (error) {
    post({ id, kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}
