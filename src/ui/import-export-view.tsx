/** Import bookmarks, Pocket, Raindrop or a Burrow export into this workspace; export it as JSON, bookmarks.html or CSV. */
import { useState } from 'preact/hooks';
import { ImportError } from '../import-export/import-error.ts';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  exportText,
  IMPORT_FORMATS,
  type ImportFormat,
} from '../import-export/import-formats.ts';
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
  const [exportFormat, setExportFormat] = useState<ExportFormat>('burrow-json');

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

  const download = async () => {
    const file = await exportText(client, { id: workspaceId, name: workspaceName }, exportFormat);
    const blob = new Blob([file.text], { type: file.mimeType });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = file.fileName;
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
        <p>
          Download “{workspaceName}” (not the Trash). The Burrow export holds everything and imports again here;
          bookmarks.html opens in Chrome, Firefox, Safari and Edge; the CSV is for spreadsheets and Raindrop.
        </p>
        <div class="form">
          <label class="field">
            <span>Format</span>
            <select
              value={exportFormat}
              onChange={(event) => setExportFormat(event.currentTarget.value as ExportFormat)}
            >
              {(Object.keys(EXPORT_FORMATS) as ExportFormat[]).map((format) => (
                <option key={format} value={format}>
                  {EXPORT_FORMATS[format].label}
                </option>
              ))}
            </select>
          </label>
          <div class="form-actions">
            <button type="button" class="button" onClick={() => void download()}>
              Export workspace
            </button>
          </div>
        </div>
      </div>
    </section>
  );
}
