/** How the UI words what an import added. */
import type { ImportCounts } from '../import-export/import-plan.ts';

function plural(count: number, noun: string): string | false {
  return count > 0 && `${count.toLocaleString('en')} ${noun}${count === 1 ? '' : 's'}`;
}

export function importSummary(counts: ImportCounts): string {
  const parts = [
    plural(counts.cards, 'card'),
    plural(counts.collections, 'collection'),
    plural(counts.todos, 'todo'),
    plural(counts.events, 'event'),
  ].filter(Boolean);
  const skipped = counts.skipped
    ? ` Skipped ${counts.skipped.toLocaleString('en')} (already saved, or not a web link).`
    : '';
  return `Imported ${parts.length ? parts.join(', ') : 'nothing new'}.${skipped}`;
}
