/** Finishes an import cut short (reload, crash, closed tab) when the app opens again, showing its progress. */
import { useEffect, useState } from 'preact/hooks';
import { type ImportProgress, resumeImports } from '../import-export/import-job.ts';
import { useApp } from './app-context.ts';
import { importSummary } from './import-export-summary.ts';

export function ImportResume() {
  const { client, toast } = useApp();
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    resumeImports(client, (next) => {
      if (active) setProgress(next);
    }).then(
      (finished) => {
        if (!active) return;
        setProgress(null);
        for (const { fileName, counts } of finished) toast(`Finished importing ${fileName}. ${importSummary(counts)}`);
      },
      (error: Error) => {
        if (active) setFailure(`The import could not go on: ${error.message} It goes on when the app opens again.`);
      },
    );
    return () => {
      active = false;
    };
  }, [client, toast]);

  if (failure) {
    return (
      <p class="banner banner-error" role="alert">
        {failure}
      </p>
    );
  }
  if (!progress) return null;
  return (
    <div class="banner import-resume" role="status">
      <span>
        Resuming the import of {progress.fileName}: {progress.done.toLocaleString('en')} of{' '}
        {progress.total.toLocaleString('en')}
      </span>
      <progress max={progress.total} value={progress.done} aria-label={`Import of ${progress.fileName}`} />
    </div>
  );
}
