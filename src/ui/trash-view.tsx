/** The Trash: deleted cards, collections, todos and events, to restore or to remove for good. */
import type { TableName } from '../../protocol/index.ts';
import type { RecordView } from '../api/client.ts';
import { savedAtOf } from '../import-export/record-times.ts';
import { useApp } from './app-context.ts';
import { formatCalendarDate, formatInstantDate } from './dates.ts';
import { recordName } from './describe-mutation.ts';
import { useRecords } from './live/use-records.ts';

const KIND_NAMES: Partial<Record<TableName, string>> = {
  cards: 'Card',
  collections: 'Collection',
  todos: 'Todo',
  events: 'Event',
};

export function TrashView() {
  const cards = useRecords('cards', { includeDeleted: true });
  const collections = useRecords('collections', { includeDeleted: true });
  const todos = useRecords('todos', { includeDeleted: true });
  const events = useRecords('events', { includeDeleted: true });
  const loaded = cards && collections && todos && events;
  const deleted = loaded ? [...cards, ...collections, ...todos, ...events].filter((record) => record.deleted) : null;
  return (
    <section class="view" aria-labelledby="view-title">
      <div class="view-header">
        <h1 id="view-title">Trash</h1>
      </div>
      {deleted === null ? (
        <div class="cards-loading" aria-busy="true" />
      ) : deleted.length === 0 ? (
        <div class="empty-state">
          <p class="empty-title">The Trash is empty.</p>
          <p>Things you delete land here, so you can bring them back.</p>
        </div>
      ) : (
        <ul class="row-list" aria-label="Deleted items">
          {deleted.map((record) => (
            <TrashRow key={record.id} record={record} />
          ))}
        </ul>
      )}
    </section>
  );
}

function TrashRow({ record }: { record: RecordView }) {
  const { client, toast } = useApp();
  const name = recordName(record.fields) ?? 'Untitled';
  return (
    <li class="row">
      <span class="kind-label">{KIND_NAMES[record.table]}</span>
      <span class="row-title">{name}</span>
      <RecordDate record={record} />
      <div class="row-actions">
        <button
          type="button"
          class="button"
          aria-label={`Restore ${name}`}
          onClick={() => void client.restore(record.table, record.id).then(() => toast(`Restored “${name}”.`))}
        >
          Restore
        </button>
        <button
          type="button"
          class="button button-danger"
          aria-label={`Delete forever: ${name}`}
          // The purge syncs: the server erases it and every device drops it from its Trash.
          onClick={() => void client.purge(record.table, record.id).then(() => toast(`Deleted “${name}” for good.`))}
        >
          Delete forever
        </button>
      </div>
    </li>
  );
}

/** The day a deleted record is about: a card's saved date, an event's date, a todo's due date. */
function RecordDate({ record }: { record: RecordView }) {
  const { fields } = record;
  const [iso, shown] =
    record.table === 'cards'
      ? [savedAtOf(record), formatInstantDate(savedAtOf(record) ?? '')]
      : record.table === 'events' && typeof fields.date === 'string'
        ? [fields.date, formatCalendarDate(fields.date)]
        : record.table === 'todos' && typeof fields.due === 'string'
          ? [fields.due, `Due ${formatCalendarDate(fields.due)}`]
          : [undefined, ''];
  if (!iso || !shown) return null;
  return (
    <time class="muted trash-date" dateTime={iso}>
      {shown}
    </time>
  );
}
