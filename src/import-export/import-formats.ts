/** The file formats an import reads and an export writes, by the names the UI and `window.burrow` use. */
import type { BurrowClient } from '../api/client.ts';
import { writeBookmarksHtml } from './bookmarks-export.ts';
import { planBookmarksImport, planBookmarkTree } from './bookmarks-import.ts';
import { exportWorkspace, planBurrowJsonImport } from './burrow-json.ts';
import { writeLinksCsv } from './csv-export.ts';
import { ImportError } from './import-error.ts';
import type { ImportPlan } from './import-plan.ts';
import { parsePocketCsv, parsePocketHtml } from './pocket-export.ts';
import { parseRaindropCsv } from './raindrop-csv.ts';
import type { WorkspaceIndex } from './workspace-index.ts';

interface ImportFormatDefinition {
  /** What the UI calls it. */
  label: string;
  /** The file picker's `accept`. */
  accept: string;
  plan(text: string, workspace: WorkspaceIndex): ImportPlan;
}

export const IMPORT_FORMATS = {
  'bookmarks-html': {
    label: 'Browser bookmarks (bookmarks.html)',
    accept: '.html,.htm,text/html',
    plan: planBookmarksImport,
  },
  'pocket-html': {
    label: 'Pocket export (ril_export.html)',
    accept: '.html,.htm,text/html',
    plan: (text, workspace) => planBookmarkTree(parsePocketHtml(text), workspace),
  },
  'pocket-csv': {
    label: 'Pocket export (.csv)',
    accept: '.csv,text/csv',
    plan: (text, workspace) => planBookmarkTree(parsePocketCsv(text), workspace),
  },
  'raindrop-csv': {
    label: 'Raindrop export (.csv)',
    accept: '.csv,text/csv',
    plan: (text, workspace) => planBookmarkTree(parseRaindropCsv(text), workspace),
  },
  'burrow-json': {
    label: 'Burrow export (.json)',
    accept: '.json,application/json',
    plan: planBurrowJsonImport,
  },
} as const satisfies Record<string, ImportFormatDefinition>;

export type ImportFormat = keyof typeof IMPORT_FORMATS;

/** A format by its name or its label (the console takes either). */
export function importFormatNamed(name: unknown): ImportFormat {
  const found = (Object.keys(IMPORT_FORMATS) as ImportFormat[]).find(
    (format) => format === name || IMPORT_FORMATS[format].label === name,
  );
  if (!found) {
    throw new ImportError(
      `Unknown import format “${String(name)}”; use one of ${Object.keys(IMPORT_FORMATS).join(', ')}.`,
    );
  }
  return found;
}

/** Parses and validates `text` as `format`, planning what it adds to `workspace`. */
export function planImport(format: ImportFormat, text: string, workspace: WorkspaceIndex): ImportPlan {
  return IMPORT_FORMATS[importFormatNamed(format)].plan(text, workspace);
}

interface ExportFormatDefinition {
  label: string;
  extension: string;
  mimeType: string;
  write(client: Pick<BurrowClient, 'list'>, workspace: { id: string; name: string }): Promise<string>;
}

async function liveTables(client: Pick<BurrowClient, 'list'>, workspaceId: string) {
  const [collections, cards] = await Promise.all([
    client.list('collections', { workspaceId }),
    client.list('cards', { workspaceId }),
  ]);
  return { collections, cards };
}

export const EXPORT_FORMATS = {
  'burrow-json': {
    label: 'Burrow JSON: everything, with times',
    extension: 'json',
    mimeType: 'application/json',
    write: async (client, workspace) => JSON.stringify(await exportWorkspace(client, workspace), null, 2),
  },
  'bookmarks-html': {
    label: 'bookmarks.html: links in folders, with dates',
    extension: 'html',
    mimeType: 'text/html',
    write: async (client, workspace) => {
      const { collections, cards } = await liveTables(client, workspace.id);
      return writeBookmarksHtml(collections, cards);
    },
  },
  csv: {
    label: 'CSV in Raindrop’s columns: links',
    extension: 'csv',
    mimeType: 'text/csv',
    write: async (client, workspace) => {
      const { collections, cards } = await liveTables(client, workspace.id);
      return writeLinksCsv(collections, cards);
    },
  },
} as const satisfies Record<string, ExportFormatDefinition>;

export type ExportFormat = keyof typeof EXPORT_FORMATS;

export function exportFormatNamed(name: unknown): ExportFormat {
  const found = (Object.keys(EXPORT_FORMATS) as ExportFormat[]).find(
    (format) => format === name || EXPORT_FORMATS[format].label === name,
  );
  if (!found) {
    throw new ImportError(
      `Unknown export format “${String(name)}”; use one of ${Object.keys(EXPORT_FORMATS).join(', ')}.`,
    );
  }
  return found;
}

/** The export of `workspace` as `format`: the file's text and the name to save it under. */
export async function exportText(
  client: Pick<BurrowClient, 'list'>,
  workspace: { id: string; name: string },
  format: ExportFormat,
): Promise<{ text: string; fileName: string; mimeType: string }> {
  const definition = EXPORT_FORMATS[exportFormatNamed(format)];
  const base = workspace.name.replace(/[^\w-]+/g, '-').toLowerCase() || 'workspace';
  return {
    text: await definition.write(client, workspace),
    fileName: `burrow-${base}.${definition.extension}`,
    mimeType: definition.mimeType,
  };
}
