/** The sync panel: status, Sync now, conflicts, failed changes (retry, discard) and the queue. */
import './sync-panel.css';
import { useEffect, useState } from 'preact/hooks';
import { isUuid, validateFields } from '../../../protocol/index.ts';
import type { ConflictEntry, FailedEntry, OutboxEntry, RecordView } from '../../api/client.ts';
import { useApp } from '../app-context.ts';
import { describeMutation, recordName } from '../describe-mutation.ts';
import { Dialog } from '../dialog.tsx';
import { lazyComponent } from '../lazy-component.tsx';
import { useSyncStatus } from '../live/use-records.ts';
import { describeFieldError, describeProblem, fieldLabel, formatTime, statusLabel } from '../sync-words.ts';
import { SyncFigures } from './sync-figures.tsx';

interface Queues {
  pending: OutboxEntry[];
  failed: FailedEntry[];
  conflicts: ConflictEntry[];
}

function useQueues(): Queues | null {
  const { client } = useApp();
  const status = useSyncStatus(client);
  const [queues, setQueues] = useState<Queues | null>(null);
  useEffect(() => {
    let active = true;
    const load = () =>
      Promise.all([client.pendingMutations(), client.failed(), client.conflicts()]).then(
        ([pending, failed, conflicts]) => {
          if (active) setQueues({ pending, failed, conflicts });
        },
      );
    void load();
    const unsubscribe = client.subscribe(() => void load());
    return () => {
      active = false;
      unsubscribe();
    };
  }, [client, status]);
  return queues;
}

/** The conflict view is loaded when the panel first has a conflict to show. */
const ConflictCard = lazyComponent(
  () => import('./conflict-card.tsx').then((module) => module.ConflictCard),
  <p class="loading">Loading the conflict…</p>,
);

export function SyncPanel({ onClose, onOpenRecord }: { onClose: () => void; onOpenRecord: (id: string) => void }) {
  const { client } = useApp();
  const status = useSyncStatus(client);
  const queues = useQueues();
  const [syncing, setSyncing] = useState(false);
  const syncNow = async () => {
    setSyncing(true);
    try {
      await client.flush();
      await client.pull();
    } finally {
      setSyncing(false);
    }
  };
  return (
    <Dialog title="Sync" onClose={onClose} wide>
      <div class="sync-summary">
        <p>
          <strong>{statusLabel(status)}</strong>
          {status.lastSyncAt && status.state !== 'synced' && <> · last synced {formatTime(status.lastSyncAt)}</>}
        </p>
        {status.state === 'local-only' && (
          <p>Everything is saved on this device. Sign in to sync it with your other devices.</p>
        )}
        {status.state === 'signed-out' && (
          <p>You are signed out: changes stay on this device until you sign in again.</p>
        )}
        {status.state === 'unreachable' && <p>Can't reach Burrow — your changes are safe on this device; retrying.</p>}
        {status.lastError && status.state === 'error' && <p class="field-error">{status.lastError}</p>}
        {status.state !== 'local-only' && status.state !== 'signed-out' && (
          <button type="button" class="button button-primary" disabled={syncing} onClick={() => void syncNow()}>
            {syncing ? 'Syncing…' : status.state === 'unreachable' ? 'Retry now' : 'Sync now'}
          </button>
        )}
      </div>
      {status.state !== 'local-only' && <SyncFigures />}
      {queues === null ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          {queues.conflicts.length > 0 && (
            <section aria-labelledby="conflicts-title">
              <h3 id="conflicts-title">Conflicts ({queues.conflicts.length})</h3>
              {queues.conflicts.map((conflict) => (
                <ConflictCard key={conflict.id} conflict={conflict} onOpenRecord={onOpenRecord} />
              ))}
            </section>
          )}
          {queues.failed.length > 0 && (
            <section aria-labelledby="failed-title">
              <h3 id="failed-title">Not accepted ({queues.failed.length})</h3>
              {queues.failed.length > 1 && <FailedActions failed={queues.failed} />}
              {queues.failed.map((entry) => (
                <FailedItem key={entry.id} entry={entry} />
              ))}
            </section>
          )}
          <section aria-labelledby="pending-title">
            <h3 id="pending-title">Waiting to sync ({queues.pending.length})</h3>
            {queues.pending.length === 0 ? (
              <p class="muted">Nothing is waiting: every change on this device has been sent.</p>
            ) : (
              <ul class="pending-list">
                {queues.pending.slice(0, 200).map((entry) => (
                  <PendingItem key={entry.key} entry={entry} calm={status.state !== 'error'} />
                ))}
                {queues.pending.length > 200 && <li class="muted">…and {queues.pending.length - 200} more</li>}
              </ul>
            )}
          </section>
        </>
      )}
    </Dialog>
  );
}

/**
 * What a queued or refused change is about, in words. A delete or an edit that leaves the title
 * alone carries no name, so the record's own fields supply it ("Deletion of card “Old idea”").
 */
function useMutationName(entry: OutboxEntry | FailedEntry): string {
  const { client } = useApp();
  const named = recordName(entry.fields) !== null;
  const [record, setRecord] = useState<RecordView | undefined>(undefined);
  useEffect(() => {
    if (named) return;
    let active = true;
    void client.get(entry.table, entry.recordId).then((found) => {
      if (active) setRecord(found);
    });
    return () => {
      active = false;
    };
  }, [client, named, entry.table, entry.recordId]);
  return describeMutation(entry.op, entry.table, { ...record?.fields, ...entry.fields });
}

/**
 * A change waiting to be sent. Its retries are told (in the warning colour) only when the status
 * is an error: while the server does not answer, is away or paces this device, waiting is calm.
 */
function PendingItem({ entry, calm }: { entry: OutboxEntry; calm: boolean }) {
  const retrying = entry.attempts >= 3 && !calm;
  const name = useMutationName(entry);
  return (
    <li class={retrying ? 'pending-item retrying' : 'pending-item'}>
      <span>{name}</span>
      <span class="muted"> · {formatTime(entry.clientTime)}</span>
      {retrying && (
        <p class="retry-note">
          Retrying{entry.lastError ? ` — last error: ${entry.lastError}` : ''}
          {entry.nextAttemptAt ? `. Next attempt at ${formatTime(entry.nextAttemptAt)}.` : '.'}
        </p>
      )}
    </li>
  );
}

/** Fields a person can fix in a failed change: text is edited, links to other records can be removed. */
function fixableFields(fields: Record<string, unknown> | undefined) {
  const entries = Object.entries(fields ?? {});
  return {
    text: entries.filter(([, value]) => typeof value === 'string' && !isUuid(value)) as [string, string][],
    links: entries.filter(([, value]) => isUuid(value)).map(([field]) => field),
  };
}

/** Retry all (each as it was) or Discard all (the server's copy stays), for a list of refusals. */
function FailedActions({ failed }: { failed: FailedEntry[] }) {
  const { client, toast } = useApp();
  const [confirming, setConfirming] = useState(false);
  const retryAll = async () => {
    for (const entry of failed) await client.retryFailed(entry.id);
    toast(`Sent ${failed.length} changes again.`);
  };
  const discardAll = async () => {
    for (const entry of failed) await client.discardFailed(entry.id);
    setConfirming(false);
    toast(`Discarded ${failed.length} changes.`);
  };
  return (
    <div class="button-row">
      <button type="button" class="button" onClick={() => void retryAll()}>
        Retry all
      </button>
      {confirming ? (
        <button type="button" class="button button-danger" onClick={() => void discardAll()}>
          Discard all {failed.length}: sure?
        </button>
      ) : (
        <button type="button" class="button" onClick={() => setConfirming(true)}>
          Discard all
        </button>
      )}
    </div>
  );
}

function FailedItem({ entry }: { entry: FailedEntry }) {
  const { client, toast } = useApp();
  const [editing, setEditing] = useState(false);
  const fixable = fixableFields(entry.fields);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fixable.text));
  const [cleared, setCleared] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const name = useMutationName(entry);
  const retry = async () => {
    const edits = editing ? { ...values, ...Object.fromEntries([...cleared].map((field) => [field, null])) } : {};
    const fields = entry.fields ? { ...entry.fields, ...edits } : undefined;
    const problems = fields ? validateFields(entry.table, fields, entry.op === 'create' ? 'create' : 'patch') : [];
    if (problems.length > 0) {
      setError(describeFieldError(problems[0].pointer, problems[0].detail));
      return;
    }
    await client.retryFailed(entry.id, fields);
    toast('Sent again.');
  };
  return (
    <article class="panel-item failed" aria-label={`Not accepted: ${name}`}>
      <h4>{name}</h4>
      <p>
        <strong>Why:</strong> {describeProblem(entry.error)}
      </p>
      {editing && (
        <div class="form">
          {fixable.text.map(([field]) => (
            <label class="field" key={field}>
              <span>{fieldLabel(field)}</span>
              <input
                value={values[field]}
                onInput={(event) => setValues({ ...values, [field]: event.currentTarget.value })}
              />
            </label>
          ))}
          {fixable.links.map((field) => (
            <label class="checkbox" key={field}>
              <input
                type="checkbox"
                checked={cleared.has(field)}
                onChange={(event) => {
                  const next = new Set(cleared);
                  if (event.currentTarget.checked) next.add(field);
                  else next.delete(field);
                  setCleared(next);
                }}
              />
              <span>Remove the {fieldLabel(field).toLowerCase()}</span>
            </label>
          ))}
        </div>
      )}
      {error && <p class="field-error">{error}</p>}
      <div class="button-row">
        {editing ? (
          <button type="button" class="button button-primary" onClick={() => void retry()}>
            Retry with changes
          </button>
        ) : (
          <button
            type="button"
            class="button"
            onClick={() => setEditing(true)}
            disabled={!fixable.text.length && !fixable.links.length}
          >
            Edit and retry
          </button>
        )}
        <button
          type="button"
          class="button"
          onClick={() => void client.discardFailed(entry.id).then(() => toast('Change discarded.'))}
        >
          Discard
        </button>
      </div>
    </article>
  );
}
