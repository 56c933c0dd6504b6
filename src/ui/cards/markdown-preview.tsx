/** A note's text rendered as markdown, for the editor's Preview (loaded when first shown). */
import { renderMarkdown } from '../markdown.ts';

/** The rendered note; its own component so a failure shows in the editor's boundary and the draft stays. */
export function MarkdownPreview({ content }: { content: string }) {
  return (
    <div
      // renderMarkdown escapes all HTML and allows only http(s)/mailto links (see markdown.ts).
      dangerouslySetInnerHTML={{ __html: renderMarkdown(content) || '<p>Nothing to preview.</p>' }}
    />
  );
}
