/** The agenda: events by day, a form to add one, and the editor of an opened one. */
import './agenda.css';
import { useEffect, useState } from 'preact/hooks';
import { type EventFields, validateFields } from '../../../protocol/index.ts';
import type { RecordView } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { formatTimeOfDay } from '../dates.ts';
import { Icon } from '../icons.tsx';
import { useRecords } from '../live/use-records.ts';
import { RecordBadges } from '../record-badges.tsx';
import { describeFieldError } from '../sync-words.ts';
import { dayLabel, groupAgenda, localDate } from './agenda.ts';
import { EventEditor } from './event-editor.tsx';

export function AgendaView() {
  const { client, workspaceId } = useApp();
  const events = useRecords('events');
  const [draft, setDraft] = useState({ title: '', date: localDate(new Date()), start: '', end: '', notes: '' });
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const set = (change: Partial<typeof draft>) => setDraft({ ...draft, ...change });
  const add = async (event: Event) => {
    event.preventDefault();
    const fields = {
      title: draft.title.trim(),
      date: draft.date,
      start: draft.start || null,
      end: draft.end || null,
      notes: draft.notes || null,
    };
    const problems = validateFields('events', fields, 'create');
    if (problems.length) {
      setError(describeFieldError(problems[0].pointer, problems[0].detail));
      return;
    }
    await client.create('events', fields, { workspaceId });
    setDraft({ ...draft, title: '', start: '', end: '', notes: '' });
    setError(null);
  };
  const days = events ? groupAgenda(events) : null;
  const now = new Date();
  return (
    <section class="view" aria-labelledby="view-title">
      <div class="view-header">
        <h1 id="view-title">Agenda</h1>
      </div>
      <form class="inline-form" onSubmit={(event) => void add(event)} noValidate>
        <label class="field grow">
          <span>New event</span>
          <input
            value={draft.title}
            onInput={(event) => set({ title: event.currentTarget.value })}
            placeholder="What’s happening?"
          />
        </label>
        <label class="field">
          <span>Date</span>
          <input type="date" value={draft.date} onInput={(event) => set({ date: event.currentTarget.value })} />
        </label>
        <label class="field">
          <span>Start</span>
          <input type="time" value={draft.start} onInput={(event) => set({ start: event.currentTarget.value })} />
        </label>
        <label class="field">
          <span>End</span>
          <input type="time" value={draft.end} onInput={(event) => set({ end: event.currentTarget.value })} />
        </label>
        <button type="submit" class="button button-primary">
          Add event
        </button>
        {error && <p class="field-error">{error}</p>}
      </form>
      {days === null ? (
        <div class="cards-loading" aria-busy="true" />
      ) : days.length === 0 ? (
        <div class="empty-state">
          <p class="empty-title">No events yet.</p>
          <p>Add one above: give it a title and a date, and a time if it has one.</p>
        </div>
      ) : (
        days.map((day) => (
          <section class="agenda-day" key={day.date} aria-label={dayLabel(day.date, now)}>
            <h2 class={day.date < localDate(now) ? 'past' : undefined}>{dayLabel(day.date, now)}</h2>
            <ul class="row-list">
              {day.events.map((event) => (
                <EventRow key={event.id} event={event} onOpen={() => setEditing(event.id)} />
              ))}
            </ul>
          </section>
        ))
      )}
      {editing && <EventEditorFor key={editing} id={editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function EventRow({ event, onOpen }: { event: RecordView; onOpen: () => void }) {
  const { client } = useApp();
  const fields = event.fields as unknown as EventFields;
  const time = fields.start
    ? `${formatTimeOfDay(fields.start)}${fields.end ? `–${formatTimeOfDay(fields.end)}` : ''}`
    : 'All day';
  return (
    <li class="row">
      <span class="event-time">{time}</span>
      <span class="row-title">
        <button type="button" class="link-button event-title" onClick={onOpen}>
          {fields.title}
        </button>
        {fields.notes && <span class="muted event-notes">{fields.notes}</span>}
      </span>
      <RecordBadges record={event} />
      <div class="row-actions">
        <button type="button" class="icon-button" aria-label={`Edit ${fields.title}`} title="Edit" onClick={onOpen}>
          <Icon name="edit" />
        </button>
        <button
          type="button"
          class="icon-button"
          aria-label={`Delete ${fields.title}`}
          onClick={() => void client.remove('events', event.id)}
        >
          <Icon name="trash" />
        </button>
      </div>
    </li>
  );
}

/** Reads the event from the store before showing the editor, so it starts from what was last written (a deleted one: nothing). */
function EventEditorFor({ id, onClose }: { id: string; onClose: () => void }) {
  const { client } = useApp();
  const [event, setEvent] = useState<RecordView | null | undefined>(undefined);
  useEffect(() => {
    void client.get('events', id).then((record) => setEvent(record && !record.deleted ? record : null));
  }, [client, id]);
  return event ? <EventEditor event={event} onClose={onClose} /> : null;
}
