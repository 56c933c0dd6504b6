/** One conflict, side by side (yours, theirs), with Keep mine, Use theirs and a merge for text. */
import { useState } from 'preact/hooks';
import type { ConflictEntry, ConflictResolution } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { describeMutation, formatValue, recordName } from '../describe-mutation.ts';
import { fieldLabel } from '../sync-words.ts';

export interface ConflictCardProps {
  conflict: ConflictEntry;
  onOpenRecord: (id: string) => void;
}

export function ConflictCard({ conflict, onOpenRecord }: ConflictCardProps) {
  const { client, toast } = useApp();
  const [busy, setBusy] = useState(false);
  // Named as this device shows the record (my values over theirs), like the heading below.
  const shown = { ...conflict.theirs?.fields, ...conflict.mine };
  const name = recordName(shown);
  const run = async (action: () => Promise<void>, done: string) => {
    setBusy(true);
    try {
      await action();
      toast(done);
    } catch (error) {
      toast(`That did not work: ${(error as Error).message}`);
      setBusy(false);
    }
  };
  const resolve = (resolution: ConflictResolution, done: string) =>
    void run(() => client.resolveConflict(conflict.id, resolution), done);
  const title = describeMutation(conflict.op, conflict.table, shown);
  return (
    <article class="panel-item conflict" aria-label={`Conflict: ${name ?? conflict.table}`}>
      <h4>{title}</h4>
      {conflict.code === 'field-conflict' && <FieldConflict conflict={conflict} busy={busy} resolve={resolve} />}
      {conflict.code === 'deleted' && (
        <>
          <p>This was deleted on another device while you edited it here.</p>
          <div class="button-row">
            <ActionButton
              label="Restore"
              primary
              busy={busy}
              onClick={() =>
                void run(async () => {
                  await client.resolveConflict(conflict.id, { keep: 'theirs' });
                  await client.restore(conflict.table, conflict.recordId);
                  if (Object.keys(conflict.mine).length)
                    await client.update(conflict.table, conflict.recordId, conflict.mine);
                }, 'Restored with your changes.')
              }
            />
            <ActionButton
              label="Accept deletion"
              busy={busy}
              onClick={() => resolve({ keep: 'theirs' }, 'Deletion accepted.')}
            />
          </div>
        </>
      )}
      {conflict.code === 'duplicate-url' && (
        <>
          <p>This link is already saved in another card, so this one was not created.</p>
          <div class="button-row">
            {conflict.theirs && (
              <button
                type="button"
                class="button button-primary"
                onClick={() => {
                  const existing = conflict.theirs!.id;
                  void client.resolveConflict(conflict.id, { keep: 'theirs' }).then(() => onOpenRecord(existing));
                }}
              >
                Open the existing card
              </button>
            )}
            <ActionButton
              label="Dismiss"
              busy={busy}
              onClick={() => resolve({ keep: 'theirs' }, 'Duplicate dropped.')}
            />
          </div>
        </>
      )}
      {conflict.code === 'exists' && (
        <>
          <p>Something with the same id already exists on the server.</p>
          <div class="button-row">
            <ActionButton
              label="Keep mine"
              busy={busy}
              onClick={() => resolve({ keep: 'mine' }, 'Kept your version.')}
            />
            <ActionButton
              label="Use theirs"
              busy={busy}
              onClick={() => resolve({ keep: 'theirs' }, 'Using their version.')}
            />
          </div>
        </>
      )}
    </article>
  );
}

interface ActionButtonProps {
  label: string;
  primary?: boolean;
  busy: boolean;
  onClick: () => void;
}

/** One resolution button; every button of a card is disabled while one of them runs. */
function ActionButton({ label, primary = false, busy, onClick }: ActionButtonProps) {
  return (
    <button type="button" class={primary ? 'button button-primary' : 'button'} disabled={busy} onClick={onClick}>
      {label}
    </button>
  );
}

interface FieldConflictProps {
  conflict: ConflictEntry;
  busy: boolean;
  resolve: (resolution: ConflictResolution, done: string) => void;
}

function FieldConflict({ conflict, busy, resolve }: FieldConflictProps) {
  const [merging, setMerging] = useState(false);
  const textFields = conflict.conflicts.filter(
    (field) => typeof field.client === 'string' || typeof field.server === 'string',
  );
  const [merged, setMerged] = useState<Record<string, string>>(() =>
    Object.fromEntries(textFields.map((field) => [field.field, String(field.client ?? '')])),
  );
  return (
    <>
      <p>This was changed on another device while you changed it here.</p>
      <table class="conflict-table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Yours</th>
            <th scope="col">Theirs</th>
          </tr>
        </thead>
        <tbody>
          {conflict.conflicts.map((field) => (
            <tr key={field.field}>
              <th scope="row">{fieldLabel(field.field)}</th>
              <td>{formatValue(field.client)}</td>
              <td>
                {field.omitted && field.server === undefined ? 'Not on this device yet' : formatValue(field.server)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {merging && (
        <div class="merge">
          {textFields.map((field) => (
            <label class="field" key={field.field}>
              <span>Merged {fieldLabel(field.field).toLowerCase()}</span>
              <textarea
                rows={field.field === 'content' ? 6 : 2}
                value={merged[field.field]}
                onInput={(event) => setMerged({ ...merged, [field.field]: event.currentTarget.value })}
              />
            </label>
          ))}
        </div>
      )}
      <div class="button-row">
        <ActionButton label="Keep mine" busy={busy} onClick={() => resolve({ keep: 'mine' }, 'Kept your version.')} />
        <ActionButton
          label="Use theirs"
          busy={busy}
          onClick={() => resolve({ keep: 'theirs' }, 'Using their version.')}
        />
        {textFields.length > 0 &&
          (merging ? (
            <ActionButton
              label="Save merge"
              primary
              busy={busy}
              onClick={() => resolve({ merged }, 'Saved your merge.')}
            />
          ) : (
            <button type="button" class="button" onClick={() => setMerging(true)}>
              Merge…
            </button>
          ))}
      </div>
    </>
  );
}
