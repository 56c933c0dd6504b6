/** Import browser bookmarks or a Burrow export into this workspace; export it as JSON. */
import { useState } from 'preact/hooks';
import { exportWorkspace } from '../import-export/burrow-json.ts';
import { ImportError } from '../import-export/import-error.ts';
import { IMPORT_FORMATS, type ImportFormat } from '../import-export/import-formats.ts';
import { startImport } from '../import-export/import-job.ts';
import { useApp } from './app-context.ts';
import { importSummary } from './import-export-summary.ts';

type Outcome =
  | { kind: 'done'; message: string }
  | { kind: 'error'; message: string }
  | { kind: 'busy'; message: string };

export function ImportExportView({ workspaceName }: { workspaceName: string }) {
  const { client, workspaceId } = useApp();
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const importFile = async (file: File | undefined, format: ImportFormat) => {
    if (!file) return;
    setOutcome({ kind: 'busy', message: `Reading ${file.name}…` });
    try {
      // The whole file is parsed and checked before the first write: a bad file changes nothing.
      const counts = await startImport(client, {
        format,
        text: await file.text(),
        fileName: file.name,
        workspaceId,
        onProgress: ({ done, total }) =>
          setOutcome({
            kind: 'busy',
            message: `Importing… ${done.toLocaleString('en')} of ${total.toLocaleString('en')}`,
          }),
      });
      setOutcome({ kind: 'done', message: importSummary(counts) });
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
        <p>
          Into the workspace “{workspaceName}”. Links and folders you already have are skipped, so importing a file
          again adds only what is new. An import cut short goes on when the app opens again.
        </p>
        <div class="form">
          {(Object.keys(IMPORT_FORMATS) as ImportFormat[]).map((format) => (
            <label class="field" key={format}>
              <span>{IMPORT_FORMATS[format].label}</span>
              <input
                type="file"
                accept={IMPORT_FORMATS[format].accept}
                disabled={outcome?.kind === 'busy'}
                onChange={(event) => {
                  const input = event.currentTarget;
                  void importFile(input.files?.[0], format).then(() => {
                    input.value = '';
                  });
                }}
              />
            </label>
          ))}
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
