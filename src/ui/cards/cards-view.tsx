/** The card views (all cards, one collection): toolbar, filters, layouts, and the cards. */
import './cards.css';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { RecordView } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { buildCollectionTree, subtreeIds } from '../collections/collection-tree.ts';
import { SHOW_KEY_HINTS } from '../keyboard.ts';
import type { CardFilters, SortBy } from '../live/card-query.ts';
import { LiveCardQuery } from '../live/live-card-query.ts';
import { prepareSearchWhenIdle } from '../live/prepare-search-when-idle.ts';
import { useRecords } from '../live/use-records.ts';
import { CardItem } from './card-item.tsx';
import { useViewSettings, type ViewSettings } from './view-settings.ts';

export interface CardsViewProps {
  search: string;
  /** Set when showing one collection (and everything nested in it). */
  collectionId?: string;
  title: string;
  actions?: ComponentChildren;
}

/** Cards rendered at first and per "Show more": rendering thousands at once made every edit slow. */
const PAGE_SIZE = 120;

const SORT_OPTIONS: { value: `${SortBy}-${'asc' | 'desc'}`; label: string }[] = [
  { value: 'created-desc', label: 'Newest first' },
  { value: 'created-asc', label: 'Oldest first' },
  { value: 'title-asc', label: 'Title A–Z' },
  { value: 'title-desc', label: 'Title Z–A' },
];

export function CardsView({ search, collectionId, title, actions }: CardsViewProps) {
  const { openCard } = useApp();
  const cards = useRecords('cards');
  const collections = useRecords('collections');
  const [settings, save] = useViewSettings(collectionId ? `collection:${collectionId}` : 'cards');
  const collectionIds = useMemo(
    () => (collectionId && collections ? subtreeIds(buildCollectionTree(collections), collectionId) : undefined),
    [collectionId, collections],
  );
  const query = useMemo(() => new LiveCardQuery(), []);
  useEffect(() => (cards ? prepareSearchWhenIdle(cards) : undefined), [cards]);
  const filters: CardFilters = { ...settings.filters, collectionIds };
  const shown = cards
    ? query.run(cards, { search, filters, sortBy: settings.sortBy, sortDir: settings.sortDir })
    : null;
  return (
    <section class="view" aria-labelledby="view-title">
      <div class="view-header">
        <h1 id="view-title">{title}</h1>
        <div class="view-actions">
          {actions}
          <button type="button" class="button" onClick={() => openCard({ kind: 'link' })}>
            New link
          </button>
          <button type="button" class="button button-primary" onClick={() => openCard({ kind: 'note' })}>
            New note
          </button>
        </div>
      </div>
      <Toolbar settings={settings} save={save} tags={query.tags()} />
      <CardList cards={shown} layout={settings.layout} search={search} filtered={hasFilters(settings)} />
    </section>
  );
}

function hasFilters(settings: ViewSettings): boolean {
  const { kind, tags, pinned } = settings.filters;
  return Boolean(kind || tags?.length || pinned);
}

interface ToolbarProps {
  settings: ViewSettings;
  save: (change: Partial<ViewSettings>) => void;
  tags: string[];
}

function Toolbar({ settings, save, tags }: ToolbarProps) {
  const { filters } = settings;
  const setFilter = (change: Partial<ViewSettings['filters']>) => {
    const next: ViewSettings['filters'] = { ...filters, ...change };
    for (const key of Object.keys(next) as (keyof typeof next)[]) if (next[key] === undefined) delete next[key];
    save({ filters: next });
  };
  return (
    <fieldset class="toolbar">
      <legend class="visually-hidden">View options</legend>
      <label class="field-inline">
        <span>Kind</span>
        <select
          value={filters.kind ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            setFilter({ kind: value === 'link' || value === 'note' ? value : undefined });
          }}
        >
          <option value="">All</option>
          <option value="link">Links</option>
          <option value="note">Notes</option>
        </select>
      </label>
      <label class="field-inline">
        <span>Tag</span>
        <select
          value={filters.tags?.[0] ?? ''}
          onChange={(event) => setFilter({ tags: event.currentTarget.value ? [event.currentTarget.value] : undefined })}
        >
          <option value="">Any</option>
          {tags.map((tag) => (
            <option key={tag} value={tag}>
              {tag}
            </option>
          ))}
        </select>
      </label>
      <label class="field-inline checkbox">
        <input
          type="checkbox"
          checked={filters.pinned ?? false}
          onChange={(event) => setFilter({ pinned: event.currentTarget.checked || undefined })}
        />
        <span>Pinned only</span>
      </label>
      <label class="field-inline">
        <span>Sort</span>
        <select
          value={`${settings.sortBy}-${settings.sortDir}`}
          onChange={(event) => {
            const [sortBy, sortDir] = event.currentTarget.value.split('-') as [SortBy, 'asc' | 'desc'];
            save({ sortBy, sortDir });
          }}
        >
          {SORT_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="segmented">
        <legend class="visually-hidden">Layout</legend>
        {(['grid', 'list', 'compact'] as const).map((layout) => (
          <label key={layout} class={settings.layout === layout ? 'segment selected' : 'segment'}>
            <input
              type="radio"
              name="layout"
              value={layout}
              checked={settings.layout === layout}
              onChange={() => save({ layout })}
            />
            <span>{layout[0].toUpperCase() + layout.slice(1)}</span>
          </label>
        ))}
      </fieldset>
    </fieldset>
  );
}

interface CardListProps {
  cards: RecordView[] | null;
  layout: ViewSettings['layout'];
  search: string;
  filtered: boolean;
}

function CardList({ cards, layout, search, filtered }: CardListProps) {
  const [limit, setLimit] = useState(PAGE_SIZE);
  if (cards === null) return <div class={`cards cards-${layout} cards-loading`} aria-busy="true" />;
  if (cards.length === 0) {
    return (
      <div class="empty-state">
        {search || filtered ? (
          <p>No cards match {search ? `“${search}”` : 'these filters'}. Try other words or clear the filters.</p>
        ) : (
          <>
            <p class="empty-title">Nothing saved here yet.</p>
            {SHOW_KEY_HINTS ? (
              <p>
                Add a link or a note with the buttons above, press <kbd>n</kbd>, or import your browser bookmarks.
              </p>
            ) : (
              <p>Add a link or a note with the buttons above, or import your browser bookmarks.</p>
            )}
          </>
        )}
      </div>
    );
  }
  return (
    <>
      <ul class={`cards cards-${layout}`} aria-label="Cards">
        {cards.slice(0, limit).map((card) => (
          <li key={card.id}>
            <CardItem card={card} />
          </li>
        ))}
      </ul>
      {cards.length > limit && (
        <button type="button" class="button show-more" onClick={() => setLimit(limit + PAGE_SIZE)}>
          Show {Math.min(PAGE_SIZE, cards.length - limit)} more of {cards.length - limit}
        </button>
      )}
    </>
  );
}
