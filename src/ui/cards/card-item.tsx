/** One card in a list or grid: a link's preview (cover, favicon, site, title, description) or a note's snippet, and its actions. */
import { useState } from 'preact/hooks';
import { MEDIA_PATH, type PreviewMetadata } from '../../../protocol/index.ts';
import type { RecordView } from '../../api/client.ts';
import { savedAtOf } from '../../import-export/record-times.ts';
import { useApp } from '../app-context.ts';
import { formatInstantDate } from '../dates.ts';
import { Icon } from '../icons.tsx';
import { cardFields } from '../live/card-query.ts';
import { memo } from '../memo.ts';
import { RecordBadges } from '../record-badges.tsx';

/** A favicon an imported bookmark carried, shown until the server fetches one. */
const DATA_IMAGE = /^data:image\//;

function hostName(url: string | null | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

/** The first characters of a note's text, without markdown marks. */
function snippet(text: string): string {
  return text
    .replace(/^\s*(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/\]\([^)]*\)|[*_`[]+/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

/**
 * A link's image to show: the server's `/media/` file (or a data URL for a favicon), never a web address:
 * the page never contacts the linked site.
 */
function shownImage(value: unknown, allowData: boolean): string | null {
  if (typeof value !== 'string') return null;
  return MEDIA_PATH.test(value) || (allowData && DATA_IMAGE.test(value)) ? value : null;
}

/** One card in a list; memoized so an edit elsewhere does not re-render it. */
export const CardItem = memo(function CardItem({ card }: { card: RecordView }) {
  const { client, openCard, toast } = useApp();
  const fields = cardFields(card);
  const link = fields.kind === 'link';
  const title = fields.title || fields.url || 'Untitled';
  const summary = link ? fields.description : snippet(fields.content);
  const remove = async () => {
    await client.remove('cards', card.id);
    toast(`Moved “${title}” to the Trash.`, { label: 'Undo', run: () => void client.restore('cards', card.id) });
  };
  const cover = link ? shownImage(fields.image, false) : null;
  return (
    <article class={`card card-${fields.kind}`} aria-label={title}>
      <div class="card-main">
        {cover && <img class="card-cover" src={cover} alt="" loading="lazy" decoding="async" />}
        {link && <SiteLine card={card} />}
        <h3 class="card-title">
          {link && fields.url ? (
            <a class="card-title-link" href={fields.url} target="_blank" rel="noopener noreferrer">
              {title}
            </a>
          ) : (
            <button type="button" class="link-button" onClick={() => openCard({ id: card.id })}>
              {title}
            </button>
          )}
        </h3>
        {summary && <p class="card-summary">{summary}</p>}
        {link && <PreviewState metadata={fields.metadata} />}
        <div class="card-meta">
          <span class="kind-label">{link ? 'Link' : 'Note'}</span>
          <SavedDate card={card} />
          {fields.tags.map((tag) => (
            <span class="tag" key={tag}>
              #{tag}
            </span>
          ))}
          <RecordBadges record={card} />
        </div>
        {link && <LinkTools card={card} title={title} />}
      </div>
      <div class="card-actions">
        <button
          type="button"
          class={fields.pinned ? 'icon-button pinned' : 'icon-button'}
          aria-pressed={fields.pinned}
          aria-label={fields.pinned ? `Unpin ${title}` : `Pin ${title}`}
          onClick={() => void client.update('cards', card.id, { pinned: !fields.pinned })}
        >
          <Icon name="star" filled={fields.pinned} />
        </button>
        <button
          type="button"
          class="icon-button"
          aria-label={`Edit ${title}`}
          title="Edit"
          onClick={() => openCard({ id: card.id })}
        >
          <Icon name="edit" />
        </button>
        <button type="button" class="icon-button" aria-label={`Delete ${title}`} onClick={() => void remove()}>
          <Icon name="trash" />
        </button>
      </div>
    </article>
  );
});

/** When the card was saved (an imported bookmark: when it was bookmarked), in the person's locale. */
function SavedDate({ card }: { card: RecordView }) {
  const saved = savedAtOf(card);
  const shown = saved ? formatInstantDate(saved) : '';
  if (!shown) return null;
  return (
    <time class="card-date" dateTime={saved} title={`Saved ${shown}`}>
      {shown}
    </time>
  );
}

/** The favicon and the site's name (or the host), above a link's title. */
function SiteLine({ card }: { card: RecordView }) {
  const fields = cardFields(card);
  const favicon = shownImage(fields.favicon, true);
  const site = fields.siteName || hostName(fields.url);
  if (!site && !favicon) return null;
  return (
    <p class="card-site">
      {favicon && <img class="card-favicon" src={favicon} alt="" width={16} height={16} />}
      <span>{site}</span>
    </p>
  );
}

/** A link preview on its way, or why the last one failed: quiet words, not an alarm. */
function PreviewState({ metadata }: { metadata: PreviewMetadata | null | undefined }) {
  if (metadata?.status === 'pending') return <p class="card-preview-state">Fetching the preview…</p>;
  if (metadata?.status === 'failed') {
    const reason = metadata.error ? `: ${metadata.error}` : '.';
    return <p class="card-preview-state">No preview{reason}</p>;
  }
  return null;
}

/** Read (when the server found the article's text) and Refresh (when the card syncs to an account). */
function LinkTools({ card, title }: { card: RecordView; title: string }) {
  const { openReader, syncsToAccount, toast } = useApp();
  const [asking, setAsking] = useState(false);
  const fields = cardFields(card);
  const readable = typeof fields.articleText === 'string' && fields.articleText.trim() !== '';
  if (!readable && !syncsToAccount) return null;
  const refresh = async () => {
    setAsking(true);
    try {
      // Loaded on first use: the first view's script budget is nearly spent.
      const { refreshPreview } = await import('../../api/previews.ts');
      await refreshPreview(card.id);
      toast(`Fetching the preview of “${title}” again.`);
    } catch (error) {
      toast(error instanceof Error ? error.message : String(error));
    } finally {
      setAsking(false);
    }
  };
  return (
    <div class="card-tools">
      {readable && (
        <button type="button" class="tool-button" aria-label={`Read ${title}`} onClick={() => openReader(card.id)}>
          <Icon name="book" />
          <span>Read</span>
        </button>
      )}
      {syncsToAccount && (
        <button
          type="button"
          class="tool-button"
          aria-label={`Refresh the preview of ${title}`}
          disabled={asking}
          onClick={() => void refresh()}
        >
          <Icon name="refresh" />
          <span>Refresh</span>
        </button>
      )}
    </div>
  );
}
