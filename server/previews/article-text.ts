/** The readable text of a page as Firefox's Reader View finds it: @mozilla/readability over linkedom. */
import { Readability } from '@mozilla/readability';
import type { HtmlDocument } from './html-document.ts';
import { cutText } from './text-cleaning.ts';

/** Readability gives up on pages with more elements than this (its own bound on work). */
const MAX_ELEMENTS = 30_000;

/** Elements that end a paragraph of the text. */
const BLOCKS = new Set([
  'ADDRESS',
  'ARTICLE',
  'ASIDE',
  'BLOCKQUOTE',
  'BR',
  'DD',
  'DIV',
  'DL',
  'DT',
  'FIGCAPTION',
  'FIGURE',
  'FOOTER',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HEADER',
  'HR',
  'LI',
  'OL',
  'P',
  'PRE',
  'SECTION',
  'TABLE',
  'TR',
  'UL',
]);

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

interface TextNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<TextNode>;
}

/** The text of `root` with a blank line between blocks and single spaces within them. */
function blockText(root: TextNode): string {
  const paragraphs: string[] = [];
  let current = '';
  const flush = () => {
    const line = current.replace(/\s+/g, ' ').trim();
    if (line !== '') paragraphs.push(line);
    current = '';
  };
  const walk = (node: TextNode) => {
    if (node.nodeType === 3) {
      current += node.textContent ?? '';
      return;
    }
    const block = BLOCKS.has(node.nodeName.toUpperCase());
    if (block) flush();
    for (let i = 0; i < node.childNodes.length; i++) walk(node.childNodes[i]);
    if (block) flush();
  };
  walk(root);
  flush();
  return paragraphs.join('\n\n');
}

/**
 * The article's text, paragraphs apart, cut to `maxCharacters`; null when Readability finds
 * no article (or the page is too large for it). Readability changes the document: call this last.
 */
export function readArticleText(document: HtmlDocument, maxCharacters: number): string | null {
  let article: ReturnType<Readability<TextNode>['parse']>;
  try {
    const reader = new Readability<TextNode>(document as unknown as ConstructorParameters<typeof Readability>[0], {
      maxElemsToParse: MAX_ELEMENTS,
      serializer: (node) => node as unknown as TextNode,
    });
    article = reader.parse();
  } catch {
    return null;
  }
  if (!article?.content) return null;
  const text = blockText(article.content).replace(CONTROL_CHARACTERS, '');
  return text === '' ? null : cutText(text, maxCharacters);
}
