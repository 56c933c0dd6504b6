/** The card editor: a link (URL, title, description) or a note (markdown with a preview). */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type CardFields, urlFromAddress, validateFields } from '../../../protocol/index.ts';
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

export interface CardEditorProps {
  /** The card to edit; absent for a new card of `kind`. */
  card?: RecordView;
  kind: 'link' | 'note';
  /** A new card's first values (what was shared to /share): shown, saved only by Save. */
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

export function CardEditor({ card, kind, initial, onClose, onOpenCard }: CardEditorProps) {
  const { client, workspaceId, toast } = useApp();
  const [draft, setDraft] = useState(() => draftOf(card, kind, initial));
  const [original] = useState(() => fieldsOf(draftOf(card, kind)));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState(false);
  const cards = useRecords('cards');
  const collections = useRecords('collections');
  const presence = usePresence(client);
  const set = (change: Partial<Draft>) => setDraft((previous) => ({ ...previous, ...change }));

  useEffect(() => {
    if (!card) return;
    client.setEditing({ table: 'cards', id: card.id });
    return () => client.setEditing(null);
  }, [client, card?.id]);

  const duplicate = useMemo(() => {
    if (draft.kind !== 'link' || !draft.url.trim() || !cards) return null;
    const url = normalizedUrl(draft.url);
    return cards.find((other) => !other.deleted && other.id !== card?.id && other.fields.url === url) ?? null;
  }, [cards, draft.kind, draft.url, card?.id]);
  const editedElsewhere = card
    ? presence.editing.filter((entry) => entry.table === 'cards' && entry.id === card.id).length
    : 0;

  const save = async (event: Event) => {
    event.preventDefault();
    const fields = fieldsOf(draft);
    if (fields.url) fields.url = normalizedUrl(fields.url as string);
    const problems = validateFields('cards', fields, 'create');
    if (duplicate) problems.push({ pointer: '/url', detail: 'is already saved in another card' });
    if (problems.length > 0) {
      setErrors(
        Object.fromEntries(
          problems.map((problem) => [
            problem.pointer.split('/')[1],
            describeFieldError(problem.pointer, problem.detail),
          ]),
        ),
      );
      return;
    }
    if (card) {
      const changed = changedFields(original, fields);
      if (Object.keys(changed).length > 0) await client.update('cards', card.id, changed);
    } else {
      await client.create('cards', fields, { workspaceId });
      toast(`Saved “${fields.title as string}”.`);
    }
    onClose();
  };

  const collectionOptions = collections ? flattenTree(buildCollectionTree(collections)) : [];
  const heading = card ? `Edit ${draft.kind}` : draft.kind === 'link' ? 'New link' : 'New note';
  return (
    <Dialog title={heading} onClose={onClose} wide={draft.kind === 'note'}>
      <form class="form" onSubmit={(event) => void save(event)} noValidate>
        {initial && (
          <p class="notice" role="status">
            Shared from another app or site: nothing is saved until you press Save.
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
                  onChange={() => set({ kind: option })}
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
            error={errors.url}
            focusOnOpen={!card}
            onInput={(url) => set({ url })}
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
          error={errors.title}
          focusOnOpen={Boolean(card) || draft.kind === 'note'}
          onInput={(title) => set({ title })}
        />
        {draft.kind === 'link' ? (
          <label class="field">
            <span>Description</span>
            <textarea
              rows={3}
              value={draft.description}
              onInput={(event) => set({ description: event.currentTarget.value })}
            />
            {errors.description && <span class="field-error">{errors.description}</span>}
          </label>
        ) : (
          <NoteBody
            content={draft.content}
            preview={preview}
            setPreview={setPreview}
            error={errors.content}
            onInput={(content) => set({ content })}
            onSave={save}
          />
        )}
        <TextField
          label="Tags"
          name="tags"
          value={draft.tags}
          error={errors.tags}
          onInput={(tags) => set({ tags })}
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
                      set({
                        collectionIds: event.currentTarget.checked
                          ? [...draft.collectionIds, node.record.id]
                          : draft.collectionIds.filter((id) => id !== node.record.id),
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
            onChange={(event) => set({ pinned: event.currentTarget.checked })}
          />
          <span>Pinned</span>
        </label>
        <div class="form-actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary">
            Save
          </button>
        </div>
      </form>
    </Dialog>
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
