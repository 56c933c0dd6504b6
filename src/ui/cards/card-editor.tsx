/** The card editor: a link (URL, title, description) or a note (markdown with a preview), saved as the person types. */
import './card-editor.css';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type CardFields, newId, urlFromAddress, validateFields } from '../../../protocol/index.ts';
import type { RecordView } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { buildCollectionTree, flattenTree } from '../collections/collection-tree.ts';
import { Dialog } from '../dialog.tsx';
import { ErrorBoundary } from '../error-boundary.tsx';
import { lazyComponent } from '../lazy-component.tsx';
import { cardFields, parseTags } from '../live/card-query.ts';
import { usePresence, useRecords } from '../live/use-records.ts';
import { describeFieldError } from '../sync-words.ts';
import { TextField } from '../text-field.tsx';
import { DraftNotSaved, DraftSaver, type SaveState } from './draft-saver.ts';

export interface CardEditorProps {
  /** The card to edit; absent for a new card of `kind`. */
  card?: RecordView;
  kind: 'link' | 'note';
  /** A new card's first values (what was shared to /share): shown, saved only by Save or an edit. */
  initial?: CardFields;
  onClose: () => void;
  onOpenCard: (id: string) => void;
}

interface Draft {
  kind: 'link' | 'note';
  url: string;
  title: string;
  description: string;
  content: string;
  tags: string;
  collectionIds: string[];
  pinned: boolean;
}

function draftOf(card: RecordView | undefined, kind: 'link' | 'note', initial?: CardFields): Draft {
  if (!card && !initial)
    return { kind, url: '', title: '', description: '', content: '', tags: '', collectionIds: [], pinned: false };
  const fields = initial ?? cardFields(card!);
  return {
    kind: fields.kind,
    url: fields.url ?? '',
    title: fields.title,
    description: fields.description ?? '',
    content: fields.content,
    tags: fields.tags.join(', '),
    collectionIds: [...fields.collectionIds],
    pinned: fields.pinned,
  };
}

function fieldsOf(draft: Draft): Record<string, unknown> {
  const link = draft.kind === 'link';
  return {
    kind: draft.kind,
    url: link ? draft.url.trim() || null : null,
    title: draft.title.trim() || (link ? titleFromUrl(draft.url) : ''),
    description: link ? draft.description || null : null,
    content: link ? '' : draft.content,
    tags: parseTags(draft.tags),
    collectionIds: draft.collectionIds,
    pinned: draft.pinned,
  };
}

function titleFromUrl(url: string): string {
  const address = urlFromAddress(url);
  return address ? new URL(address).hostname : '';
}

/** Only the fields that differ from the card as it was opened: edits from two tabs then merge. */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (JSON.stringify(before[key] ?? null) !== JSON.stringify(value ?? null)) changed[key] = value;
  }
  return changed;
}

/** What was typed as a normalised URL: a bare `github.com/…` is https (protocol/url.ts); else as typed, for the error. */
function normalizedUrl(url: string): string {
  return urlFromAddress(url) ?? url.trim();
}

/** Whether a new card's draft holds nothing the person wrote: it is then not written at all. */
function isBlank(draft: Draft): boolean {
  return (
    !draft.url.trim() &&
    !draft.title.trim() &&
    !draft.description.trim() &&
    !draft.content.trim() &&
    !draft.tags.trim() &&
    draft.collectionIds.length === 0 &&
    !draft.pinned
  );
}

/** The problems that keep `fields` from being written, by field name, in the person's words. */
function problemsOf(fields: Record<string, unknown>, duplicate: RecordView | null): Record<string, string> {
  const problems = validateFields('cards', fields, 'create');
  if (duplicate) problems.push({ pointer: '/url', detail: 'is already saved in another card' });
  return Object.fromEntries(
    problems.map((problem) => [problem.pointer.split('/')[1], describeFieldError(problem.pointer, problem.detail)]),
  );
}

/**
 * Drafts are data: every change is written to the local store after a short pause (DraftSaver),
 * and at once on blur, close, Esc, a click outside and when the page is hidden. A new card's id
 * is fixed when the editor opens, so a double click or a retry writes one card; an editor closed
 * untouched writes nothing; Undo puts back what the card was when the editor opened.
 */
export function CardEditor({ card, kind, initial, onClose, onOpenCard }: CardEditorProps) {
  const { client, workspaceId } = useApp();
  const [id] = useState(() => card?.id ?? newId());
  const [draft, setDraft] = useState(() => draftOf(card, kind, initial));
  const [saveState, setSaveState] = useState<SaveState>({ state: 'untouched' });
  // What was shared to /share is saved only once the person presses Save or edits it: any page can open /share.
  const [armed, setArmed] = useState(!initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [showErrors, setShowErrors] = useState(false);
  const [preview, setPreview] = useState(false);
  // Only a link is checked for duplicates: reading every card (10,000 in the typing bench) held a
  // note's first write behind that read for up to 1.4 s, and patched a second list on every write.
  const cards = useRecords('cards', { enabled: draft.kind === 'link' });
  const collections = useRecords('collections');
  const presence = usePresence(client);

  const duplicate = useMemo(() => {
    if (draft.kind !== 'link' || !draft.url.trim() || !cards) return null;
    const url = normalizedUrl(draft.url);
    return cards.find((other) => !other.deleted && other.id !== id && other.fields.url === url) ?? null;
  }, [cards, draft.kind, draft.url, id]);

  // What the writes read: the card as opened, as last written, and the newest draft and duplicate.
  const opened = useRef(card ? fieldsOf(draftOf(card, kind)) : null);
  const written = useRef(opened.current);
  const latest = useRef({ draft, duplicate });
  latest.current = { draft, duplicate };
  const closing = useRef(false);

  // One saver for the editor's life: a first card can switch the workspace (the placeholder is
  // stored), and a second saver would race the first with its own create.
  const where = useRef({ client, workspaceId });
  where.current = { client, workspaceId };
  const [saver] = useState(
    () =>
      new DraftSaver<Draft>(async (next) => {
        const fields = fieldsOf(next);
        if (fields.url) fields.url = normalizedUrl(fields.url as string);
        const problems = problemsOf(fields, latest.current.duplicate);
        setErrors(problems);
        const first = Object.entries(problems)[0];
        if (first) throw new DraftNotSaved(first[1]);
        if (!written.current) {
          if (isBlank(next)) return;
          await where.current.client.create('cards', fields, { workspaceId: where.current.workspaceId, id });
          written.current = fields;
          return;
        }
        const changed = changedFields(written.current, fields);
        if (Object.keys(changed).length === 0) return;
        await where.current.client.update('cards', id, changed);
        written.current = { ...written.current, ...changed };
      }, setSaveState),
  );

  useEffect(() => {
    if (!card) return;
    client.setEditing({ table: 'cards', id: card.id });
    return () => client.setEditing(null);
  }, [client, card?.id]);

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

  const change = (update: Partial<Draft>) => {
    const next = { ...latest.current.draft, ...update };
    latest.current = { ...latest.current, draft: next };
    setDraft(next);
    setArmed(true);
    saver.change(next);
  };

  /** Writes what waits, then closes; a draft that cannot be written keeps the editor open with its reasons. */
  const close = async () => {
    if (closing.current) return;
    if (!armed) {
      onClose();
      return;
    }
    closing.current = true;
    const state = await saver.flush();
    closing.current = false;
    if (state.state === 'not-saved') {
      setShowErrors(true);
      return;
    }
    // A new card emptied again before closing goes as if never written.
    if (!card && written.current && isBlank(latest.current.draft)) await discardNewCard();
    onClose();
  };

  /**
   * Gone for good, everywhere: a purge deletes and erases in one, on every device and on the
   * server; a draft that never left this device sends nothing at all.
   */
  const discardNewCard = () => client.purge('cards', id);

  /** Undo: the card as it was when the editor opened (a new card: none). */
  const undo = async () => {
    closing.current = true;
    await saver.cancel();
    if (!card) {
      if (written.current) await discardNewCard();
    } else if (written.current && opened.current) {
      const back = changedFields(written.current, opened.current);
      if (Object.keys(back).length > 0) await client.update('cards', id, back);
    }
    onClose();
  };

  const done = (event: Event) => {
    event.preventDefault();
    if (!armed) {
      // The shared card's first write, at once.
      setArmed(true);
      saver.change(latest.current.draft);
      void saver.flush().then((state) => {
        if (state.state === 'not-saved') setShowErrors(true);
        else onClose();
      });
      return;
    }
    void close();
  };

  const shown = showErrors ? errors : {};
  const editedElsewhere = card
    ? presence.editing.filter((entry) => entry.table === 'cards' && entry.id === card.id).length
    : 0;
  const collectionOptions = collections ? flattenTree(buildCollectionTree(collections)) : [];
  const heading = card ? `Edit ${draft.kind}` : draft.kind === 'link' ? 'New link' : 'New note';
  const touched = saveState.state !== 'untouched';
  return (
    <Dialog title={heading} onClose={() => void close()} wide={draft.kind === 'note'}>
      <form class="form" onSubmit={done} onFocusOut={() => armed && void saver.flush()} noValidate>
        {initial && !armed && (
          <p class="notice" role="status">
            Shared from another app or site: nothing is saved until you press Save or change it.
          </p>
        )}
        {editedElsewhere > 0 && (
          <p class="notice" role="status">
            This card is open in another tab too. Your changes and theirs are merged field by field.
          </p>
        )}
        {card?.conflict && (
          <p class="notice notice-warn">This card has a sync conflict. Resolve it in the sync panel.</p>
        )}
        {!card && (
          <fieldset class="segmented">
            <legend class="visually-hidden">Kind of card</legend>
            {(['link', 'note'] as const).map((option) => (
              <label key={option} class={draft.kind === option ? 'segment selected' : 'segment'}>
                <input
                  type="radio"
                  name="kind"
                  checked={draft.kind === option}
                  onChange={() => change({ kind: option })}
                />
                <span>{option === 'link' ? 'Link' : 'Note'}</span>
              </label>
            ))}
          </fieldset>
        )}
        {draft.kind === 'link' && (
          <TextField
            label="URL"
            name="url"
            type="url"
            value={draft.url}
            error={shown.url}
            focusOnOpen={!card}
            onInput={(url) => change({ url })}
            placeholder="https://…"
          />
        )}
        {duplicate && (
          <p class="notice">
            You already saved this link.{' '}
            <button type="button" class="link-button" onClick={() => onOpenCard(duplicate.id)}>
              Open the existing card
            </button>
          </p>
        )}
        <TextField
          label="Title"
          name="title"
          value={draft.title}
          error={shown.title}
          focusOnOpen={Boolean(card) || draft.kind === 'note'}
          onInput={(title) => change({ title })}
        />
        {draft.kind === 'link' ? (
          <label class="field">
            <span>Description</span>
            <textarea
              rows={3}
              value={draft.description}
              onInput={(event) => change({ description: event.currentTarget.value })}
            />
            {shown.description && <span class="field-error">{shown.description}</span>}
          </label>
        ) : (
          <NoteBody
            content={draft.content}
            preview={preview}
            setPreview={setPreview}
            error={shown.content}
            onInput={(content) => change({ content })}
            onSave={done}
          />
        )}
        <TextField
          label="Tags"
          name="tags"
          value={draft.tags}
          error={shown.tags}
          onInput={(tags) => change({ tags })}
          placeholder="reading, recipes"
          hint="Separate tags with commas."
        />
        {collectionOptions.length > 0 && (
          <fieldset class="field">
            <legend>Collections</legend>
            <div class="checkbox-list">
              {collectionOptions.map((node) => (
                <label key={node.record.id} class="checkbox" style={{ paddingInlineStart: `${node.depth * 1.25}rem` }}>
                  <input
                    type="checkbox"
                    checked={draft.collectionIds.includes(node.record.id)}
                    onChange={(event) =>
                      change({
                        collectionIds: event.currentTarget.checked
                          ? [...draft.collectionIds, node.record.id]
                          : draft.collectionIds.filter((other) => other !== node.record.id),
                      })
                    }
                  />
                  <span>{node.name}</span>
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <label class="checkbox">
          <input
            type="checkbox"
            checked={draft.pinned}
            onChange={(event) => change({ pinned: event.currentTarget.checked })}
          />
          <span>Pinned</span>
        </label>
        <div class="form-actions">
          {armed ? (
            <>
              <SaveStateText state={saveState} isNew={!card} />
              {touched && (
                <button type="button" class="button" onClick={() => void undo()}>
                  {card ? 'Undo changes' : 'Discard'}
                </button>
              )}
              <button type="submit" class="button button-primary">
                Done
              </button>
            </>
          ) : (
            <>
              <button type="button" class="button" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" class="button button-primary">
                Save
              </button>
            </>
          )}
        </div>
      </form>
    </Dialog>
  );
}

/** The quiet line beside Done: what happened to what the person typed. */
function SaveStateText({ state, isNew }: { state: SaveState; isNew: boolean }) {
  const text =
    state.state === 'saved'
      ? 'Saved'
      : state.state === 'saving'
        ? 'Saving…'
        : state.state === 'not-saved'
          ? `Not saved yet: ${state.reason}`
          : isNew
            ? 'Saved as you type'
            : '';
  return (
    <span class={state.state === 'not-saved' ? 'save-state save-state-problem' : 'save-state'} role="status">
      {text}
    </span>
  );
}

/** The markdown renderer is loaded the first time a preview is shown. */
const MarkdownPreview = lazyComponent(
  () => import('./markdown-preview.tsx').then((module) => module.MarkdownPreview),
  <p class="loading">Loading the preview…</p>,
);

interface NoteBodyProps {
  content: string;
  preview: boolean;
  setPreview: (preview: boolean) => void;
  error?: string;
  onInput: (content: string) => void;
  onSave: (event: Event) => void;
}

function NoteBody({ content, preview, setPreview, error, onInput, onSave }: NoteBodyProps) {
  return (
    <div class="field">
      <fieldset class="segmented">
        <legend class="visually-hidden">Note text</legend>
        <button
          type="button"
          class={preview ? 'segment' : 'segment selected'}
          aria-pressed={!preview}
          onClick={() => setPreview(false)}
        >
          Write
        </button>
        <button
          type="button"
          class={preview ? 'segment selected' : 'segment'}
          aria-pressed={preview}
          onClick={() => setPreview(true)}
        >
          Preview
        </button>
      </fieldset>
      {preview ? (
        <section class="markdown" aria-label="Preview">
          <ErrorBoundary what="The preview">
            <MarkdownPreview content={content} />
          </ErrorBoundary>
        </section>
      ) : (
        <label class="field">
          <span>Text (markdown)</span>
          <textarea
            rows={10}
            value={content}
            onInput={(event) => onInput(event.currentTarget.value)}
            onKeyDown={(event) => {
              // Enter is a new line in the text; Ctrl/Cmd+Enter saves.
              if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) onSave(event);
            }}
          />
          {error && <span class="field-error">{error}</span>}
        </label>
      )}
    </div>
  );
}
