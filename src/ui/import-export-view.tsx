/** Import browser bookmarks or a Burrow export into this workspace; export it as JSON. */
import { useState } from 'preact/hooks';
import { planBookmarksImport } from '../import-export/bookmarks-import.ts';
import { exportWorkspace, planBurrowJsonImport } from '../import-export/burrow-json.ts';
import { ImportError } from '../import-export/import-error.ts';
import { commitImportPlan, type ImportCounts, type ImportPlan } from '../import-export/import-plan.ts';
import { readWorkspaceIndex, type WorkspaceIndex } from '../import-export/workspace-index.ts';
import { useApp } from './app-context.ts';

type Outcome =
  | { kind: 'done'; message: string }
  | { kind: 'error'; message: string }
  | { kind: 'busy'; message: string };

function summary(counts: ImportCounts): string {
  const parts = [
    counts.cards && `${counts.cards} card${counts.cards === 1 ? '' : 's'}`,
    counts.collections && `${counts.collections} collection${counts.collections === 1 ? '' : 's'}`,
    counts.todos && `${counts.todos} todo${counts.todos === 1 ? '' : 's'}`,
    counts.events && `${counts.events} event${counts.events === 1 ? '' : 's'}`,
  ].filter(Boolean);
  const skipped = counts.skipped ? ` Skipped ${counts.skipped} (already saved, or not a web link).` : '';
  return `Imported ${parts.length ? parts.join(', ') : 'nothing new'}.${skipped}`;
}

export function ImportExportView({ workspaceName }: { workspaceName: string }) {
  const { client, workspaceId } = useApp();
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const importFile = async (file: File | undefined, plan: (text: string, workspace: WorkspaceIndex) => ImportPlan) => {
    if (!file) return;
    setOutcome({ kind: 'busy', message: `Reading ${file.name}…` });
    try {
      // Parse and validate the whole file first: a bad file must change nothing.
      const planned = plan(await file.text(), await readWorkspaceIndex(client, workspaceId));
      const counts = await commitImportPlan(client, planned, workspaceId, (done, total) => {
        if (done % 50 === 0) setOutcome({ kind: 'busy', message: `Importing… ${done} of ${total}` });
      });
      setOutcome({ kind: 'done', message: summary(counts) });
    } catch (error) {
      const message = error instanceof ImportError ? error.message : `The import stopped: ${(error as Error).message}`;
      setOutcome({ kind: 'error', message });
    }
  };

  const exportJson = async () => {
    const data = await exportWorkspace(client, { id: workspaceId, name: workspaceName });
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `burrow-${workspaceName.replace(/[^\w-]+/g, '-').toLowerCase() || 'workspace'}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  return (
    <section class="view" aria-labelledby="view-title">
      <div class="view-header">
        <h1 id="view-title">Import and export</h1>
      </div>
      <div class="panel">
        <h2>Import</h2>
        <p>Into the workspace “{workspaceName}”. Links you already saved are skipped.</p>
        <div class="form">
          <label class="field">
            <span>Browser bookmarks (bookmarks.html)</span>
            <input
              type="file"
              accept=".html,.htm,text/html"
              onChange={(event) => {
                const input = event.currentTarget;
                void importFile(input.files?.[0], (text, workspace) => planBookmarksImport(text, workspace)).then(
                  () => {
                    input.value = '';
                  },
                );
              }}
            />
          </label>
          <label class="field">
            <span>Burrow export (.json)</span>
            <input
              type="file"
              accept=".json,application/json"
              onChange={(event) => {
                const input = event.currentTarget;
                void importFile(input.files?.[0], (text, workspace) => planBurrowJsonImport(text, workspace)).then(
                  () => {
                    input.value = '';
                  },
                );
              }}
            />
          </label>
        </div>
        <div role="status" aria-live="polite" class={outcome?.kind === 'error' ? 'outcome outcome-error' : 'outcome'}>
          {outcome?.message}
        </div>
      </div>
      <div class="panel">
        <h2>Export</h2>
        <p>Download everything in “{workspaceName}” (not the Trash) as a JSON file you can import again.</p>
        <button type="button" class="button" onClick={() => void exportJson()}>
          Export workspace
        </button>
      </div>
    </section>
  );
}
