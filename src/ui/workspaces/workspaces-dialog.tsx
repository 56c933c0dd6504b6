/** Workspaces: create, rename, switch, delete. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RecordView } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { Dialog } from '../dialog.tsx';

export interface WorkspacesDialogProps {
  workspaces: RecordView[];
  onSwitch: (id: string) => void;
  onClose: () => void;
}

export function WorkspacesDialog({ workspaces, onSwitch, onClose }: WorkspacesDialogProps) {
  const { client, workspaceId, toast } = useApp();
  const [name, setName] = useState('');
  const live = workspaces.filter((workspace) => !workspace.deleted);
  const create = async (event: Event) => {
    event.preventDefault();
    if (!name.trim()) return;
    const created = await client.create('workspaces', { name: name.trim().slice(0, 100) });
    setName('');
    onSwitch(created.id);
    toast(`Created and switched to “${created.fields.name as string}”.`);
  };
  return (
    <Dialog title="Workspaces" onClose={onClose}>
      <ul class="row-list" aria-label="Workspaces">
        {live.map((workspace) => (
          <WorkspaceRow
            key={workspace.id}
            workspace={workspace}
            current={workspace.id === workspaceId}
            deletable={live.length > 1}
            onSwitch={() => onSwitch(workspace.id)}
          />
        ))}
      </ul>
      <form class="inline-form" onSubmit={(event) => void create(event)}>
        <label class="field grow">
          <span>New workspace</span>
          <input value={name} maxLength={100} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        <button type="submit" class="button button-primary">
          Create
        </button>
      </form>
    </Dialog>
  );
}

interface WorkspaceRowProps {
  workspace: RecordView;
  current: boolean;
  deletable: boolean;
  onSwitch: () => void;
}

function WorkspaceRow({ workspace, current, deletable, onSwitch }: WorkspaceRowProps) {
  const { client } = useApp();
  const name = workspace.fields.name as string;
  const [renaming, setRenaming] = useState(false);
  const [draft, setDraft] = useState(name);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (renaming) input.current?.focus();
  }, [renaming]);
  const [confirming, setConfirming] = useState(false);
  const rename = async (event: Event) => {
    event.preventDefault();
    if (draft.trim() && draft !== name)
      await client.update('workspaces', workspace.id, { name: draft.trim().slice(0, 100) });
    setRenaming(false);
  };
  return (
    <li class="row">
      {renaming ? (
        <form class="row-title" onSubmit={(event) => void rename(event)}>
          <input
            aria-label={`New name for ${name}`}
            value={draft}
            ref={input}
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
          <button type="submit" class="button">
            Save
          </button>
        </form>
      ) : (
        <span class="row-title">
          {name} {current && <span class="badge">current</span>}
        </span>
      )}
      <div class="row-actions">
        {!current && (
          <button type="button" class="button" onClick={onSwitch}>
            Switch
          </button>
        )}
        <button type="button" class="button" aria-label={`Rename ${name}`} onClick={() => setRenaming(true)}>
          Rename
        </button>
        {deletable &&
          (confirming ? (
            <button
              type="button"
              class="button button-danger"
              onClick={() => void client.remove('workspaces', workspace.id)}
            >
              Delete “{name}” and everything in it
            </button>
          ) : (
            <button type="button" class="button" aria-label={`Delete ${name}`} onClick={() => setConfirming(true)}>
              Delete
            </button>
          ))}
      </div>
    </li>
  );
}
