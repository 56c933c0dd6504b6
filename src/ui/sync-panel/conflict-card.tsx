/** One conflict, side by side (yours, theirs), with Keep mine, Use theirs and a merge for text that starts from both. */
import './conflict-card.css';
import { useMemo, useState } from 'preact/hooks';
import type { ConflictEntry, ConflictResolution } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { describeMutation, formatValue, recordName } from '../describe-mutation.ts';
import { fieldLabel } from '../sync-words.ts';
import { type DiffLine, diffLines, isMultiline, mergeBoth } from './line-diff.ts';

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
      {conflict.code === 'deleted' && conflict.theirs?.purged && (
        <PurgedConflict conflict={conflict} resolve={resolve} busy={busy} />
      )}
      {conflict.code === 'deleted' && !conflict.theirs?.purged && (
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

interface PurgedConflictProps {
  conflict: ConflictEntry;
  busy: boolean;
  resolve: (resolution: ConflictResolution, done: string) => void;
}

/**
 * An edit of a record another device deleted for good: nothing can bring it back (the server
 * erased it), so the person sees what they wrote, to copy, and accepts the deletion.
 */
function PurgedConflict({ conflict, busy, resolve }: PurgedConflictProps) {
  return (
    <>
      <p>
        This was deleted for good on another device while you edited it here, so it cannot come back. What you wrote:
      </p>
      <dl class="purged-mine">
        {Object.entries(conflict.mine).map(([field, value]) => (
          <div key={field}>
            <dt>{fieldLabel(field)}</dt>
            <dd>{formatValue(value, field)}</dd>
          </div>
        ))}
      </dl>
      <div class="button-row">
        <ActionButton
          label="Accept deletion"
          busy={busy}
          onClick={() => resolve({ keep: 'theirs' }, 'Deletion accepted.')}
        />
      </div>
    </>
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

/** A text field's merge: where it starts, and for a text of lines, what differs line by line. */
interface TextMerge {
  field: string;
  start: string;
  /** Null for a one-line value (both are in the table above), or while their value is not on this device. */
  lines: DiffLine[] | null;
}

/**
 * The merge of a text field starts from both versions: a text of lines holds every line of mine
 * and of theirs (shared lines once), so nothing of mine is lost and nothing of theirs is hidden;
 * a one-line value starts from mine.
 */
function textMerge(field: ConflictEntry['conflicts'][number]): TextMerge {
  const mine = typeof field.client === 'string' ? field.client : '';
  const theirs = typeof field.server === 'string' ? field.server : field.server === undefined ? null : '';
  if (theirs === null || !isMultiline(field.field, [mine, theirs]))
    return { field: field.field, start: mine, lines: null };
  const lines = diffLines(mine, theirs);
  return { field: field.field, start: mergeBoth(lines), lines };
}

function FieldConflict({ conflict, busy, resolve }: FieldConflictProps) {
  // Both versions as they are now (their value may arrive with a pull while the panel is open).
  const merges = useMemo(
    () =>
      conflict.conflicts
        .filter((field) => typeof field.client === 'string' || typeof field.server === 'string')
        .map(textMerge),
    [conflict],
  );
  // The merge being written: null until Merge… starts it from both versions.
  const [merged, setMerged] = useState<Record<string, string> | null>(null);
  const merging = merged !== null;
  const startMerge = () => setMerged(Object.fromEntries(merges.map((merge) => [merge.field, merge.start])));
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
              <td class="conflict-value">{formatValue(field.client, field.field)}</td>
              <td class="conflict-value">
                {field.omitted && field.server === undefined
                  ? 'Not on this device yet'
                  : formatValue(field.server, field.field)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {merged && (
        <div class="merge">
          {merges.some((merge) => merge.lines) && (
            <p class="muted merge-hint">The merge starts with the lines of both versions: remove what should go.</p>
          )}
          {merges.map((merge) => {
            const label = fieldLabel(merge.field).toLowerCase();
            return (
              <div key={merge.field}>
                {merge.lines && <LineDiff lines={merge.lines} label={`What differs in the ${label}`} />}
                <label class="field">
                  <span>Merged {label}</span>
                  <textarea
                    rows={merge.lines ? Math.min(16, Math.max(4, merge.lines.length + 1)) : 2}
                    value={merged[merge.field] ?? merge.start}
                    onInput={(event) => setMerged({ ...merged, [merge.field]: event.currentTarget.value })}
                  />
                </label>
              </div>
            );
          })}
        </div>
      )}
      <div class="button-row">
        <ActionButton label="Keep mine" busy={busy} onClick={() => resolve({ keep: 'mine' }, 'Kept your version.')} />
        <ActionButton
          label="Use theirs"
          busy={busy}
          onClick={() => resolve({ keep: 'theirs' }, 'Using their version.')}
        />
        {merges.length > 0 &&
          (merging ? (
            <ActionButton
              label="Save merge"
              primary
              busy={busy}
              onClick={() => merged && resolve({ merged }, 'Saved your merge.')}
            />
          ) : (
            <button type="button" class="button" onClick={startMerge}>
              Merge…
            </button>
          ))}
      </div>
    </>
  );
}

const SIDE_WORDS = { mine: 'Yours', theirs: 'Theirs' } as const;

/** Both versions' lines in order, the ones only one side has marked with whose they are. */
function LineDiff({ lines, label }: { lines: DiffLine[]; label: string }) {
  return (
    <ol class="line-diff" aria-label={label}>
      {lines.map((line, index) => (
        <li key={index} class={`diff-${line.side}`}>
          <span class="diff-side">
            {line.side !== 'both' && (
              <>
                {SIDE_WORDS[line.side]}
                <span class="visually-hidden">: </span>
              </>
            )}
          </span>
          <span class="diff-text">{line.text || ' '}</span>
        </li>
      ))}
    </ol>
  );
}
