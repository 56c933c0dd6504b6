/** The event editor: title, date, times and notes of an event, saved as the person types (drafts are data). */
import './event-editor.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type EventFields, validateFields } from '../../../protocol/index.ts';
import type { RecordView } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { DraftNotSaved, DraftSaver, type SaveState } from '../cards/draft-saver.ts';
import { Dialog } from '../dialog.tsx';
import { describeFieldError } from '../sync-words.ts';
import { TextField } from '../text-field.tsx';

export interface EventEditorProps {
  event: RecordView;
  onClose: () => void;
}

/** The form's values: every field as the inputs hold it (an empty time is no time). */
interface EventDraft {
  title: string;
  date: string;
  start: string;
  end: string;
  notes: string;
}

function draftOf(event: RecordView): EventDraft {
  const fields = event.fields as unknown as EventFields;
  return {
    title: fields.title,
    date: fields.date,
    start: fields.start ?? '',
    end: fields.end ?? '',
    notes: fields.notes ?? '',
  };
}

function fieldsOf(draft: EventDraft): Record<string, unknown> {
  return {
    title: draft.title.trim(),
    date: draft.date,
    start: draft.start || null,
    end: draft.end || null,
    notes: draft.notes || null,
  };
}

/** The fields of `after` that differ from `before`: only they are sent, so edits elsewhere merge field by field. */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(after).filter(([key, value]) => (before[key] ?? null) !== (value ?? null)));
}

/** The problems that keep `fields` from being written, by field name, in the person's words. */
function problemsOf(fields: Record<string, unknown>): Record<string, string> {
  const problems = validateFields('events', fields, 'create');
  return Object.fromEntries(
    problems.map((problem) => [problem.pointer.split('/')[1], describeFieldError(problem.pointer, problem.detail)]),
  );
}

/**
 * Edits an event the way the card editor edits a card: each change is written to the local store
 * after a short pause (DraftSaver) and at once on blur, close, Esc, a click outside and when the
 * page is hidden; "Undo changes" puts back the event as it was when the editor opened.
 */
export function EventEditor({ event, onClose }: EventEditorProps) {
  const { client } = useApp();
  const [draft, setDraft] = useState(() => draftOf(event));
  const [saveState, setSaveState] = useState<SaveState>({ state: 'untouched' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [showErrors, setShowErrors] = useState(false);
  const opened = useRef(fieldsOf(draftOf(event)));
  const written = useRef(opened.current);
  const latest = useRef(draft);
  const closing = useRef(false);
  const [saver] = useState(
    () =>
      new DraftSaver<EventDraft>(async (next) => {
        const fields = fieldsOf(next);
        const problems = problemsOf(fields);
        setErrors(problems);
        const first = Object.values(problems)[0];
        if (first) throw new DraftNotSaved(first);
        const changed = changedFields(written.current, fields);
        if (Object.keys(changed).length === 0) return;
        await client.update('events', event.id, changed);
        written.current = { ...written.current, ...changed };
      }, setSaveState),
  );

  useEffect(() => {
    client.setEditing({ table: 'events', id: event.id });
    return () => client.setEditing(null);
  }, [client, event.id]);

  // Leaving the page (a reload, a closed tab, a switch of app) writes what waits.
  useEffect(() => {
    const writeNow = () => void saver.flush();
    const onVisibility = () => document.visibilityState === 'hidden' && writeNow();
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', writeNow);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', writeNow);
      writeNow();
    };
  }, [saver]);

  const change = (update: Partial<EventDraft>) => {
    const next = { ...latest.current, ...update };
    latest.current = next;
    setDraft(next);
    saver.change(next);
  };

  /** Writes what waits, then closes; a draft that cannot be written keeps the editor open with its reasons. */
  const close = async () => {
    if (closing.current) return;
    closing.current = true;
    const state = await saver.flush();
    closing.current = false;
    if (state.state === 'not-saved') {
      setShowErrors(true);
      return;
    }
    onClose();
  };

  const undo = async () => {
    closing.current = true;
    await saver.cancel();
    const back = changedFields(written.current, opened.current);
    if (Object.keys(back).length > 0) await client.update('events', event.id, back);
    onClose();
  };

  // A change that cannot be saved says why at its field at once: the line beside Done stays short, so Done does not move.
  const shown = showErrors || saveState.state === 'not-saved' ? errors : {};
  return (
    <Dialog title="Edit event" onClose={() => void close()}>
      <form
        class="form"
        onSubmit={(submit) => {
          submit.preventDefault();
          void close();
        }}
        onFocusOut={() => void saver.flush()}
        noValidate
      >
        {event.conflict && (
          <p class="notice notice-warn">This event has a sync conflict. Resolve it in the sync panel.</p>
        )}
        <TextField
          label="Title"
          name="title"
          value={draft.title}
          error={shown.title}
          focusOnOpen
          onInput={(title) => change({ title })}
        />
        <div class="event-when">
          <TimeField
            label="Date"
            type="date"
            value={draft.date}
            error={shown.date}
            onInput={(date) => change({ date })}
          />
          <TimeField
            label="Start"
            type="time"
            value={draft.start}
            error={shown.start}
            onInput={(start) => change({ start })}
          />
          <TimeField label="End" type="time" value={draft.end} error={shown.end} onInput={(end) => change({ end })} />
        </div>
        <label class="field">
          <span>Notes</span>
          <textarea
            rows={4}
            value={draft.notes}
            placeholder="Where, who, what to bring"
            onInput={(input) => change({ notes: input.currentTarget.value })}
          />
          {shown.notes && <span class="field-error">{shown.notes}</span>}
        </label>
        <div class="form-actions">
          <span class={saveState.state === 'not-saved' ? 'event-save-state problem' : 'event-save-state'} role="status">
            {saveWords(saveState)}
          </span>
          {saveState.state !== 'untouched' && (
            <button type="button" class="button" onClick={() => void undo()}>
              Undo changes
            </button>
          )}
          <button type="submit" class="button button-primary">
            Done
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function saveWords(state: SaveState): string {
  if (state.state === 'saved') return 'Saved';
  if (state.state === 'saving') return 'Saving…';
  if (state.state === 'not-saved') return 'Not saved yet';
  return '';
}

interface TimeFieldProps {
  label: string;
  type: 'date' | 'time';
  value: string;
  error?: string;
  onInput: (value: string) => void;
}

/** A date or time input, labelled, with its error. */
function TimeField({ label, type, value, error, onInput }: TimeFieldProps) {
  return (
    <label class="field">
      <span>{label}</span>
      <input
        type={type}
        value={value}
        aria-invalid={error ? true : undefined}
        onInput={(input) => onInput(input.currentTarget.value)}
      />
      {error && <span class="field-error">{error}</span>}
    </label>
  );
}
