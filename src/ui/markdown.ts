/**
 * A small, safe markdown renderer for note previews: every byte of input HTML is escaped, and
 * nesting is bounded (quotes and inline spans deeper than the limits render as plain text), so
 * no input can overflow the stack or cost more than linear-ish time.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}

/** The link schemes a note may point to; everything else (javascript:, data:, …) renders as text. */
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The URL if it is absolute and http(s) or mailto, else null. */
export function safeLinkTarget(raw: string): string | null {
  try {
    const url = new URL(raw.trim());
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

const ESCAPABLE = '\\`*_[]()#+-.!>';

/** Quotes nest at most this deep; deeper `>` show as text. */
export const MAX_QUOTE_DEPTH = 16;
/** Emphasis and link labels nest at most this deep; deeper markers show as text. */
export const MAX_INLINE_DEPTH = 16;

/** Renders inline markdown (code, links, strong, emphasis, backslash escapes) to HTML. */
export function renderInline(text: string, depth = 0): string {
  const misses: Misses = new Map();
  let html = '';
  let index = 0;
  while (index < text.length) {
    const rendered = depth < MAX_INLINE_DEPTH ? renderSpanAt(text, index, misses, depth) : renderEscapeAt(text, index);
    if (rendered) {
      html += rendered.html;
      index = rendered.end;
    } else {
      html += escapeHtml(text[index]);
      index += 1;
    }
  }
  return html;
}

/**
 * Per delimiter, the earliest position from which a search for its closer already failed. A
 * closer valid from a later start is valid from an earlier one, so later searches can stop at
 * once: this keeps pathological input (thousands of lone `*`) linear instead of quadratic.
 * `]found` keeps the last `]` found, so a run of `[` does not search for it again each time.
 */
type Misses = Map<string, number>;

function searchFails(misses: Misses, key: string, from: number): boolean {
  const missedFrom = misses.get(key);
  return missedFrom !== undefined && from >= missedFrom;
}

function recordMiss(misses: Misses, key: string, from: number): void {
  const missedFrom = misses.get(key);
  if (missedFrom === undefined || from < missedFrom) misses.set(key, from);
}

interface Span {
  html: string;
  end: number;
}

function renderEscapeAt(text: string, index: number): Span | null {
  if (text[index] === '\\' && index + 1 < text.length && ESCAPABLE.includes(text[index + 1])) {
    return { html: escapeHtml(text[index + 1]), end: index + 2 };
  }
  return null;
}

function renderSpanAt(text: string, index: number, misses: Misses, depth: number): Span | null {
  const character = text[index];
  if (character === '\\') return renderEscapeAt(text, index);
  if (character === '`') return renderCodeSpan(text, index, misses);
  if (character === '[') return renderLink(text, index, misses, depth);
  if (character === '*' || character === '_') return renderEmphasis(text, index, misses, depth);
  return null;
}

function renderCodeSpan(text: string, index: number, misses: Misses): Span | null {
  let run = 0;
  while (text[index + run] === '`') run++;
  const fence = '`'.repeat(run);
  const close = searchFails(misses, fence, index + run) ? -1 : text.indexOf(fence, index + run);
  if (close < 0) {
    recordMiss(misses, fence, index + run);
    return { html: escapeHtml(fence), end: index + run };
  }
  const code = text.slice(index + run, close);
  return { html: `<code>${escapeHtml(code)}</code>`, end: close + run };
}

function renderLink(text: string, index: number, misses: Misses, depth: number): Span | null {
  if (searchFails(misses, ']', index)) return null;
  const labelEnd = findClosingBracket(text, index, misses);
  if (labelEnd < 0) recordMiss(misses, ']', index);
  if (labelEnd < 0 || text[labelEnd + 1] !== '(') return null;
  const targetEnd = searchFails(misses, ')', labelEnd) ? -1 : text.indexOf(')', labelEnd + 2);
  if (targetEnd < 0) {
    recordMiss(misses, ')', labelEnd);
    return null;
  }
  const label = text.slice(index + 1, labelEnd);
  const target = safeLinkTarget(text.slice(labelEnd + 2, targetEnd));
  const labelHtml = renderInline(label, depth + 1);
  const html = target
    ? `<a href="${escapeHtml(target)}" rel="noopener noreferrer nofollow" target="_blank">${labelHtml}</a>`
    : labelHtml;
  return { html, end: targetEnd + 1 };
}

/**
 * Index of the first unescaped `]` after `open`; -1 if none. Labels do not nest. A `[` before
 * the last `]` found has that same `]` first (the scan from the earlier `[` passed it with the
 * same escapes), so it is not searched for again.
 */
function findClosingBracket(text: string, open: number, misses: Misses): number {
  const found = misses.get(']found');
  if (found !== undefined && open < found) return found;
  for (let index = open + 1; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === ']') {
      misses.set(']found', index);
      return index;
    }
  }
  return -1;
}

function renderEmphasis(text: string, index: number, misses: Misses, depth: number): Span | null {
  const marker = text[index];
  // An underscore inside a word (snake_case) is just an underscore.
  if (marker === '_' && /\w/.test(text[index - 1] ?? '')) return null;
  const strong = text[index + 1] === marker;
  const delimiter = strong ? marker + marker : marker;
  const start = index + delimiter.length;
  if (start >= text.length || /\s/.test(text[start])) return null;
  const close = searchFails(misses, delimiter, start) ? -1 : findDelimiter(text, delimiter, start);
  if (close < 0) {
    recordMiss(misses, delimiter, start);
    return null;
  }
  const inner = renderInline(text.slice(start, close), depth + 1);
  const tag = strong ? 'strong' : 'em';
  return { html: `<${tag}>${inner}</${tag}>`, end: close + delimiter.length };
}

function findDelimiter(text: string, delimiter: string, from: number): number {
  for (let index = from + 1; index < text.length; index++) {
    if (text[index] === '\\') {
      index++;
      continue;
    }
    if (text.startsWith(delimiter, index) && !/\s/.test(text[index - 1])) {
      // A single `*` must not match the first half of a `**`.
      if (delimiter.length === 1 && text[index + 1] === delimiter) {
        index++;
        continue;
      }
      return index;
    }
  }
  return -1;
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const UNORDERED_ITEM = /^\s*[-*+]\s+(.*)$/;
const ORDERED_ITEM = /^\s*\d{1,9}[.)]\s+(.*)$/;
const QUOTE = /^\s*>\s?(.*)$/;
const FENCE = /^\s*(```|~~~)/;

/**
 * Renders markdown to HTML: headings, paragraphs, emphasis, code (inline and fenced), lists,
 * quotes and http(s)/mailto links. Raw HTML in the input is shown as text, never interpreted.
 */
export function renderMarkdown(markdown: string): string {
  return renderBlocks(markdown.replace(/\r\n?/g, '\n').split('\n'), 0);
}

function renderBlocks(lines: string[], depth: number): string {
  const html: string[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (line.trim() === '') {
      index++;
    } else if (FENCE.test(line)) {
      index = renderFence(lines, index, html);
    } else if (HEADING.test(line)) {
      const [, hashes, content] = HEADING.exec(line)!;
      html.push(`<h${hashes.length}>${renderInline(content)}</h${hashes.length}>`);
      index++;
    } else if (QUOTE.test(line) && depth < MAX_QUOTE_DEPTH) {
      const quoted = takeWhile(lines, index, QUOTE);
      html.push(
        `<blockquote>${renderBlocks(
          quoted.map((item) => QUOTE.exec(item)![1]),
          depth + 1,
        )}</blockquote>`,
      );
      index += quoted.length;
    } else if (UNORDERED_ITEM.test(line) || ORDERED_ITEM.test(line)) {
      const pattern = UNORDERED_ITEM.test(line) ? UNORDERED_ITEM : ORDERED_ITEM;
      const items = takeWhile(lines, index, pattern);
      const tag = pattern === UNORDERED_ITEM ? 'ul' : 'ol';
      const rendered = items.map((item) => `<li>${renderInline(pattern.exec(item)![1])}</li>`).join('');
      html.push(`<${tag}>${rendered}</${tag}>`);
      index += items.length;
    } else {
      const paragraph = takeParagraph(lines, index, depth);
      html.push(`<p>${paragraph.map((line) => renderInline(line)).join('<br>')}</p>`);
      index += paragraph.length;
    }
  }
  return html.join('\n');
}

function renderFence(lines: string[], start: number, html: string[]): number {
  const fence = FENCE.exec(lines[start])![1];
  let end = start + 1;
  while (end < lines.length && !lines[end].trim().startsWith(fence)) end++;
  html.push(`<pre><code>${escapeHtml(lines.slice(start + 1, end).join('\n'))}</code></pre>`);
  return end + 1;
}

function takeWhile(lines: string[], start: number, pattern: RegExp): string[] {
  let end = start;
  while (end < lines.length && pattern.test(lines[end])) end++;
  return lines.slice(start, end);
}

function startsBlock(line: string, depth: number): boolean {
  if (depth < MAX_QUOTE_DEPTH && QUOTE.test(line)) return true;
  return [HEADING, UNORDERED_ITEM, ORDERED_ITEM, FENCE].some((pattern) => pattern.test(line));
}

function takeParagraph(lines: string[], start: number, depth: number): string[] {
  let end = start + 1;
  while (end < lines.length && lines[end].trim() !== '' && !startsBlock(lines[end], depth)) end++;
  return lines.slice(start, end).map((line) => line.trim());
}
