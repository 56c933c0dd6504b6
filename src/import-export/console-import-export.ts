/** `window.burrow.importText` and `exportText`: the UI's import and export, for the console and tests. */
import type { BurrowClient } from '../api/client.ts';
import { exportFormatNamed, exportText, importFormatNamed } from './import-formats.ts';
import { startImport } from './import-job.ts';
import type { ImportCounts } from './import-plan.ts';

export interface ImportExportConsole {
  /**
   * Imports `text` as `format` (a name or label of the Import view) into `workspaceId` (default:
   * the workspace the app shows): the Import view's path, durable and resumable. Resolves with
   * what it added (`cards`, `collections`, `todos`, `events`) and `skipped`; rejects with the
   * view's message for a file it cannot read, having changed nothing.
   */
  importText(text: string, options: { format: string; workspaceId?: string; fileName?: string }): Promise<ImportCounts>;
  /** The workspace as `format` (`burrow-json`, `bookmarks-html`, `csv`), as the Export button writes it. */
  exportText(options: { format: string; workspaceId?: string }): Promise<string>;
}

/**
 * The console's import and export over `client`; `currentWorkspaceId` names the workspace the
 * app shows (none: the oldest, as the app's own default).
 */
export function importExportConsole(
  client: BurrowClient,
  currentWorkspaceId: () => string | null,
): ImportExportConsole {
  const workspaceOf = async (asked: string | undefined) => {
    const workspaces = (await client.workspaces()).sort((a, b) => a.id.localeCompare(b.id));
    const id = asked ?? currentWorkspaceId();
    const found = workspaces.find((workspace) => workspace.id === id) ?? (asked ? undefined : workspaces[0]);
    if (asked && !found) throw new Error(`No workspace ${asked} on this device.`);
    return found;
  };
  return {
    async importText(text, options) {
      const format = importFormatNamed(options.format);
      const workspace = await workspaceOf(options.workspaceId);
      return startImport(client, {
        format,
        text,
        fileName: options.fileName ?? `console import (${format})`,
        // None yet: the first create stores the client's default workspace.
        workspaceId: workspace?.id ?? '',
      });
    },
    async exportText(options) {
      const format = exportFormatNamed(options.format);
      const workspace = await workspaceOf(options.workspaceId);
      if (!workspace) return (await exportText(client, { id: '', name: 'Personal' }, format)).text;
      return (await exportText(client, { id: workspace.id, name: String(workspace.fields.name) }, format)).text;
    },
  };
}
