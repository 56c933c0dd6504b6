/** One card in a list or grid: title, link, snippet, tags, pin and delete. */
import type { RecordView } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { Icon } from '../icons.tsx';
import { cardFields } from '../live/card-query.ts';
import { memo } from '../memo.ts';
import { RecordBadges } from '../record-badges.tsx';

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

/** One card in a list; memoized so an edit elsewhere does not re-render it. */
export const CardItem = memo(function CardItem({ card }: { card: RecordView }) {
  const { client, openCard, toast } = useApp();
  const fields = cardFields(card);
  const title = fields.title || fields.url || 'Untitled';
  const summary = fields.kind === 'link' ? fields.description : snippet(fields.content);
  const remove = async () => {
    await client.remove('cards', card.id);
    toast(`Moved “${title}” to the Trash.`, { label: 'Undo', run: () => void client.restore('cards', card.id) });
  };
  return (
    <article class={`card card-${fields.kind}`} aria-label={title}>
      <div class="card-main">
        <h3 class="card-title">
          <button type="button" class="link-button" onClick={() => openCard({ id: card.id })}>
            {title}
          </button>
        </h3>
        {fields.kind === 'link' && fields.url && (
          <a class="card-url" href={fields.url} target="_blank" rel="noopener noreferrer">
            {hostName(fields.url)}
          </a>
        )}
        {summary && <p class="card-summary">{summary}</p>}
        <div class="card-meta">
          <span class="kind-label">{fields.kind === 'link' ? 'Link' : 'Note'}</span>
          {fields.tags.map((tag) => (
            <span class="tag" key={tag}>
              #{tag}
            </span>
          ))}
          <RecordBadges record={card} />
        </div>
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
        <button type="button" class="icon-button" aria-label={`Delete ${title}`} onClick={() => void remove()}>
          <Icon name="trash" />
        </button>
      </div>
    </article>
  );
});
