import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  MAX_INLINE_DEPTH,
  MAX_QUOTE_DEPTH,
  renderInline,
  renderMarkdown,
  safeLinkTarget,
} from './markdown.ts';

describe('renderMarkdown', () => {
  describe('blocks', () => {
    it('renders headings of every level', () => {
      expect(renderMarkdown('# One\n###### Six ##')).toBe('<h1>One</h1>\n<h6>Six</h6>');
    });

    it('joins paragraph lines with breaks and separates paragraphs', () => {
      expect(renderMarkdown('a\nb\n\nc')).toBe('<p>a<br>b</p>\n<p>c</p>');
    });

    it('renders unordered and ordered lists', () => {
      expect(renderMarkdown('- a\n* b\n\n1. x\n2) y')).toBe(
        '<ul><li>a</li><li>b</li></ul>\n<ol><li>x</li><li>y</li></ol>',
      );
    });

    it('renders quotes with blocks inside', () => {
      expect(renderMarkdown('> # Q\n> text')).toBe('<blockquote><h1>Q</h1>\n<p>text</p></blockquote>');
    });

    it('renders fenced code verbatim but escaped', () => {
      expect(renderMarkdown('```\n<b>*x*</b>\n```')).toBe('<pre><code>&lt;b&gt;*x*&lt;/b&gt;</code></pre>');
    });

    it('closes an unterminated fence at the end', () => {
      expect(renderMarkdown('```\ncode')).toBe('<pre><code>code</code></pre>');
    });
  });

  describe('inline', () => {
    it('renders strong, emphasis and code', () => {
      expect(renderInline('**b** *i* _j_ `c*d`')).toBe('<strong>b</strong> <em>i</em> <em>j</em> <code>c*d</code>');
    });

    it('leaves snake_case and lone markers alone', () => {
      expect(renderInline('snake_case_name 2 * 3')).toBe('snake_case_name 2 * 3');
    });

    it('renders http(s) and mailto links', () => {
      expect(renderInline('[site](https://example.com/a?b=1&c=2)')).toBe(
        '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">site</a>',
      );
      expect(renderInline('[me](mailto:me@example.com)')).toContain('href="mailto:me@example.com"');
    });

    it('honours backslash escapes', () => {
      expect(renderInline('\\*not em\\*')).toBe('*not em*');
    });
  });

  describe('XSS attempts', () => {
    const attacks = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x]( javascript:alert(1))',
      '[x](data:text/html;base64,PHNjcmlwdD4=)',
      '[x](vbscript:msgbox)',
      '[x](https://a.example/"onmouseover="alert(1))',
      "[x](https://a.example/'onmouseover='alert(1))",
      '[<img src=x onerror=alert(1)>](https://a.example)',
      '`<script>`',
      '**<iframe src=//evil>**',
      '> <svg onload=alert(1)>',
      '- <a href="javascript:alert(1)">x</a>',
      '# <style>*{}</style>',
      '[x](//evil.example/path)',
    ];

    it.each(attacks)('never emits a raw tag or unsafe URL for %s', (attack) => {
      const html = renderMarkdown(attack);
      const tags = html.match(/<[^>]*>/g) ?? [];
      const allowed =
        /^(<\/?(h[1-6]|p|br|ul|ol|li|blockquote|pre|code|strong|em|a)>|<a href="(https?:|mailto:)[^"<>]*" rel="noopener noreferrer nofollow" target="_blank">)$/;
      expect(tags.filter((tag) => !allowed.test(tag))).toEqual([]);
    });

    it('keeps quotes inside an href escaped', () => {
      const html = renderInline('[x](https://a.example/"onmouseover="alert(1))');
      const href = /href="([^"]*)"/.exec(html)?.[1] ?? '';
      expect(href).not.toContain('"');
      expect(html.match(/"/g)).toHaveLength(6);
    });

    it('escapes every < > & in any input (property)', () => {
      fc.assert(
        fc.property(fc.string(), (input) => {
          const html = renderMarkdown(input);
          const withoutTags = html.replace(
            /<\/?(h[1-6]|p|br|ul|ol|li|blockquote|pre|code|strong|em)>|<a href="[^"<>]*" rel="noopener noreferrer nofollow" target="_blank">|<\/a>/g,
            '',
          );
          expect(withoutTags).not.toMatch(/[<>]/);
        }),
      );
    });

    it('stays fast on thousands of unmatched markers', () => {
      const input = '*a _b `c [d '.repeat(20_000);
      expect(renderMarkdown(input).length).toBeGreaterThan(input.length);
    });
  });
});

describe('renderMarkdown on adversarial input', () => {
  const count = (html: string, tag: string) => html.split(tag).length - 1;

  it('renders 20,000 nested > without overflowing the stack, quotes nested at most the limit', () => {
    for (const input of [
      '>'.repeat(20_000),
      `${'> '.repeat(20_000)}deep`,
      `${'>'.repeat(20_000)}\n${'>'.repeat(19_999)}`,
    ]) {
      const html = renderMarkdown(input);
      expect(count(html, '<blockquote>')).toBe(MAX_QUOTE_DEPTH);
      expect(count(html, '</blockquote>')).toBe(MAX_QUOTE_DEPTH);
      expect(html).toContain('&gt;');
    }
  });

  it('keeps what is nested deeper than the limit as text', () => {
    const html = renderMarkdown(`${'>'.repeat(MAX_QUOTE_DEPTH + 2)} kept`);
    expect(html).toContain('<p>&gt;&gt; kept</p>');
  });

  /** How deep inline tags nest in `html`. */
  function inlineDepth(html: string): number {
    let depth = 0;
    let deepest = 0;
    for (const [tag] of html.matchAll(/<\/?(strong|em|a)\b[^>]*>/g)) {
      depth += tag.startsWith('</') ? -1 : 1;
      deepest = Math.max(deepest, depth);
    }
    return deepest;
  }

  it('bounds nested emphasis and link labels', () => {
    const nested = [
      `${'*a '.repeat(20_000)}${'b*'.repeat(20_000)}`,
      `${'**_'.repeat(5_000)}x${'_**'.repeat(5_000)}`,
      `${'*_'.repeat(10_000)}x${'_*'.repeat(10_000)}`,
      `${'[*'.repeat(10_000)}x${'*](https://a.example)'.repeat(10_000)}`,
    ];
    for (const input of nested) expect(inlineDepth(renderMarkdown(input))).toBeLessThanOrEqual(MAX_INLINE_DEPTH);
    expect(inlineDepth(renderInline('**a *b* a**'))).toBe(2);
  });

  it('never throws, for any mix of markdown marks at any depth (property)', () => {
    const mark = fc.constantFrom(
      '>',
      '> ',
      '*',
      '**',
      '_',
      '`',
      '[',
      ']',
      '(',
      ')',
      '](https://a.example)',
      '\\',
      '#',
      '- ',
      '1. ',
      '\n',
      ' ',
      'x',
    );
    // Runs of up to 1,000 pass every depth limit many times over (the tests above take 20,000);
    // 5,000 made each run ~150 KB of markdown and the test 27 s on a busy CI machine.
    const deep = fc.tuple(mark, fc.integer({ min: 1, max: 1_000 })).map(([piece, times]) => piece.repeat(times));
    fc.assert(
      fc.property(fc.array(fc.oneof(mark, deep), { maxLength: 40 }), (pieces) => {
        const html = renderMarkdown(pieces.join(''));
        expect(count(html, '<blockquote>')).toBe(count(html, '</blockquote>'));
      }),
      { numRuns: 200 },
    );
  });
});

describe('safeLinkTarget', () => {
  it('allows only http, https and mailto', () => {
    expect(safeLinkTarget('https://x.example')).toBe('https://x.example/');
    expect(safeLinkTarget('ftp://x.example')).toBeNull();
    expect(safeLinkTarget('relative/path')).toBeNull();
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
