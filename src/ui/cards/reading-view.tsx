/** The reading view: a link's article text as the server extracted it, set for reading. */
import './reading-view.css';
import { useEffect, useState } from 'preact/hooks';
import type { RecordView } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { formatInstantDate } from '../dates.ts';
import { Dialog } from '../dialog.tsx';
import { cardFields } from '../live/card-query.ts';

export interface ReadingViewProps {
  cardId: string;
  onClose: () => void;
}

/** Paragraphs of the article text (the server separates them with a blank line). */
export function paragraphsOf(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean);
}

function hostName(url: string | null | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

/**
 * The card's article text in a dialog: Esc, the close button or the backdrop close it. The
 * text is rendered as text nodes (never as HTML), so whatever the page held stays inert.
 */
export function ReadingView({ cardId, onClose }: ReadingViewProps) {
  const { client } = useApp();
  const [card, setCard] = useState<RecordView | null | undefined>(undefined);
  useEffect(() => {
    void client.get('cards', cardId).then((record) => setCard(record ?? null));
  }, [client, cardId]);
  if (card === undefined) return null;
  const fields = card ? cardFields(card) : null;
  const title = fields?.title || fields?.url || 'Reading view';
  const paragraphs = paragraphsOf(fields?.articleText ?? '');
  const published = fields?.metadata?.publishedAt ? formatInstantDate(fields.metadata.publishedAt, 'long') : null;
  const site = fields?.siteName || hostName(fields?.url);
  return (
    <Dialog title={title} onClose={onClose} wide>
      <div class="reading">
        {fields?.url && (
          <p class="reading-source">
            {[site, published].filter(Boolean).join(' · ')}
            {site || published ? ' · ' : ''}
            <a href={fields.url} target="_blank" rel="noopener noreferrer">
              Open the page
            </a>
          </p>
        )}
        {paragraphs.length > 0 ? (
          // Focusable, so the keyboard can page through a long text (the dialog scrolls).
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling text region takes focus for the keyboard
          <article class="reading-text" tabIndex={0} aria-label={`Text of ${title}`}>
            {paragraphs.map((paragraph, index) => (
              <p key={index}>{paragraph}</p>
            ))}
          </article>
        ) : (
          <p class="reading-empty">
            {card ? 'The server found no article text on this page.' : 'This card is no longer here.'}
          </p>
        )}
      </div>
    </Dialog>
  );
}
