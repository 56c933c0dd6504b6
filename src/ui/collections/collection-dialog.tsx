/** Create a collection, or rename, move or delete one. */
import { useState } from 'preact/hooks';
import { LIMITS } from '../../../protocol/index.ts';
import type { RecordView } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { Dialog } from '../dialog.tsx';
import { useRecords } from '../live/use-records.ts';
import { navigate } from '../router.ts';
import { TextField } from '../text-field.tsx';
import { buildCollectionTree, type CollectionNode, canHoldChild, flattenTree, subtreeIds } from './collection-tree.ts';

export interface CollectionDialogProps {
  /** The collection to edit; absent to create one (inside `parentId` if given). */
  collection?: RecordView;
  parentId?: string;
  onClose: () => void;
}

export function CollectionDialog({ collection, parentId, onClose }: CollectionDialogProps) {
  const { client, workspaceId, toast } = useApp();
  const collections = useRecords('collections') ?? [];
  const [name, setName] = useState((collection?.fields.name as string) ?? '');
  const [parent, setParent] = useState((collection?.fields.parentId as string) ?? parentId ?? '');
  const [error, setError] = useState<string | null>(null);
  const tree = buildCollectionTree(collections);
  // A collection cannot move inside itself or its own children. One as deep as collections go
  // is listed but cannot be chosen, unless it is where the collection is now.
  const excluded = collection ? subtreeIds(tree, collection.id) : new Set<string>();
  const options = flattenTree(tree).filter((node) => !excluded.has(node.record.id));
  const current = (collection?.fields.parentId as string | undefined) ?? null;
  const full = (node: CollectionNode) => !canHoldChild(node) && node.record.id !== current;
  const chosen = options.find((node) => node.record.id === parent);
  const tooDeep = chosen && full(chosen) ? chosen : null;
  const parentError = tooDeep
    ? `Collections nest at most ${LIMITS.collectionDepth} levels, and “${tooDeep.name}” is that deep: pick a place higher up.`
    : null;
  const save = async (event: Event) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError('Give the collection a name.');
    if ([...trimmed].length > 100) return setError('The name can be at most 100 characters.');
    if (parentError) return;
    if (collection) {
      await client.update('collections', collection.id, { name: trimmed, parentId: parent || null });
    } else {
      const created = await client.create(
        'collections',
        { name: trimmed, parentId: parent || null, position: Date.now() },
        { workspaceId },
      );
      navigate({ name: 'collection', id: created.id });
    }
    onClose();
  };
  const remove = async () => {
    if (!collection) return;
    await client.remove('collections', collection.id);
    toast(`Moved collection “${collection.fields.name as string}” to the Trash. Its cards stay in your other views.`);
    navigate({ name: 'cards' });
    onClose();
  };
  return (
    <Dialog title={collection ? 'Edit collection' : 'New collection'} onClose={onClose}>
      <form class="form" onSubmit={(event) => void save(event)} noValidate>
        <TextField
          label="Name"
          name="collection-name"
          value={name}
          onInput={setName}
          error={error ?? undefined}
          focusOnOpen
        />
        <label class="field">
          <span>Inside</span>
          <select
            value={parent}
            aria-invalid={parentError ? true : undefined}
            aria-describedby={parentError ? 'collection-parent-error' : undefined}
            onChange={(event) => setParent(event.currentTarget.value)}
          >
            <option value="">(top level)</option>
            {options.map((node) => (
              <option key={node.record.id} value={node.record.id} disabled={full(node)}>
                {'\u00a0\u00a0'.repeat(node.depth)}
                {node.name}
              </option>
            ))}
          </select>
          {parentError && (
            <span class="field-error" id="collection-parent-error">
              {parentError}
            </span>
          )}
        </label>
        <div class="form-actions">
          {collection && (
            <button type="button" class="button button-danger" onClick={() => void remove()}>
              Delete collection
            </button>
          )}
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
