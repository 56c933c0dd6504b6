/** Todos: add with an optional due date and card, tick off, edit, delete. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type TodoFields, validateFields } from '../../protocol/index.ts';
import type { RecordView } from '../api/client.ts';
import { localDate } from './agenda/agenda.ts';
import { useApp } from './app-context.ts';
import { formatCalendarDate } from './dates.ts';
import { Icon } from './icons.tsx';
import { cardFields } from './live/card-query.ts';
import { useRecords } from './live/use-records.ts';
import { RecordBadges } from './record-badges.tsx';
import { describeFieldError } from './sync-words.ts';

function todoFields(record: RecordView): TodoFields {
  return record.fields as unknown as TodoFields;
}

function sortTodos(todos: RecordView[]): RecordView[] {
  return todos
    .filter((todo) => !todo.deleted)
    .sort((a, b) => {
      const x = todoFields(a);
      const y = todoFields(b);
      return (
        Number(x.done) - Number(y.done) || (x.due ?? '9999').localeCompare(y.due ?? '9999') || x.position - y.position
      );
    });
}

export function TodosView() {
  const { client, workspaceId } = useApp();
  const todos = useRecords('todos');
  const cards = useRecords('cards');
  const [text, setText] = useState('');
  const [due, setDue] = useState('');
  const [cardId, setCardId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = async (event: Event) => {
    event.preventDefault();
    const fields = { text: text.trim(), done: false, due: due || null, cardId: cardId || null, position: Date.now() };
    const problems = validateFields('todos', fields, 'create');
    if (problems.length) {
      setError(describeFieldError(problems[0].pointer, problems[0].detail));
      return;
    }
    await client.create('todos', fields, { workspaceId });
    setText('');
    setDue('');
    setCardId('');
    setError(null);
  };
  const liveCards = (cards ?? []).filter((card) => !card.deleted);
  const cardTitles = new Map(
    liveCards.map((card) => [card.id, cardFields(card).title || cardFields(card).url || 'Untitled']),
  );
  const shown = todos ? sortTodos(todos) : null;
  return (
    <section class="view" aria-labelledby="view-title">
      <div class="view-header">
        <h1 id="view-title">Todos</h1>
      </div>
      <form class="inline-form" onSubmit={(event) => void add(event)} noValidate>
        <label class="field grow">
          <span>New todo</span>
          <input value={text} onInput={(event) => setText(event.currentTarget.value)} placeholder="What needs doing?" />
        </label>
        <label class="field">
          <span>Due</span>
          <input type="date" value={due} onInput={(event) => setDue(event.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Card</span>
          <select value={cardId} onChange={(event) => setCardId(event.currentTarget.value)}>
            <option value="">None</option>
            {[...cardTitles].map(([id, title]) => (
              <option key={id} value={id}>
                {title.slice(0, 60)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="button button-primary">
          Add todo
        </button>
        {error && <p class="field-error">{error}</p>}
      </form>
      {shown === null ? (
        <div class="cards-loading" aria-busy="true" />
      ) : shown.length === 0 ? (
        <div class="empty-state">
          <p class="empty-title">No todos.</p>
          <p>Type one above and press Enter. Give it a due date or link it to a card if you like.</p>
        </div>
      ) : (
        <ul class="row-list" aria-label="Todos">
          {shown.map((todo) => (
            <TodoRow key={todo.id} todo={todo} cardTitle={cardTitles.get(todoFields(todo).cardId ?? '')} />
          ))}
        </ul>
      )}
    </section>
  );
}

function TodoRow({ todo, cardTitle }: { todo: RecordView; cardTitle?: string }) {
  const { client, openCard } = useApp();
  const fields = todoFields(todo);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(fields.text);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) input.current?.focus();
  }, [editing]);
  const overdue = !fields.done && fields.due && fields.due < localDate(new Date());
  const saveText = async (event: Event) => {
    event.preventDefault();
    if (text.trim() && text !== fields.text) await client.update('todos', todo.id, { text: text.trim() });
    setEditing(false);
  };
  return (
    <li class={fields.done ? 'row done' : 'row'}>
      <input
        type="checkbox"
        checked={fields.done}
        aria-label={`Done: ${fields.text}`}
        onChange={(event) => void client.update('todos', todo.id, { done: event.currentTarget.checked })}
      />
      {editing ? (
        <form class="row-title" onSubmit={(event) => void saveText(event)}>
          <input
            aria-label="Todo text"
            value={text}
            ref={input}
            onInput={(event) => setText(event.currentTarget.value)}
            onBlur={(event) => void saveText(event)}
          />
        </form>
      ) : (
        <span class="row-title">{fields.text}</span>
      )}
      {fields.due && (
        <span class={overdue ? 'due overdue' : 'due'}>
          {overdue ? 'Overdue: ' : 'Due '}
          <time dateTime={fields.due}>{formatCalendarDate(fields.due)}</time>
        </span>
      )}
      {fields.cardId && cardTitle && (
        <button type="button" class="link-button" onClick={() => openCard({ id: fields.cardId! })}>
          {cardTitle.slice(0, 40)}
        </button>
      )}
      <RecordBadges record={todo} />
      <div class="row-actions">
        <button type="button" class="icon-button" aria-label={`Edit ${fields.text}`} onClick={() => setEditing(true)}>
          <Icon name="edit" />
        </button>
        <button
          type="button"
          class="icon-button"
          aria-label={`Delete ${fields.text}`}
          onClick={() => void client.remove('todos', todo.id)}
        >
          <Icon name="trash" />
        </button>
      </div>
    </li>
  );
}
