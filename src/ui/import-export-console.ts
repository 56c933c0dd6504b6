/** Adds `importText` and `exportText` to `window.burrow`, loading the import code only when first called. */
import type { BurrowClient } from '../api/client.ts';
import type { ImportExportConsole } from '../import-export/console-import-export.ts';
import { CURRENT_WORKSPACE_KEY } from './workspaces/workspace-state.ts';

export function installImportExportConsole(client: BurrowClient): void {
  const load = () =>
    import('../import-export/console-import-export.ts').then((module) =>
      module.importExportConsole(client, () => localStorage.getItem(CURRENT_WORKSPACE_KEY)),
    );
  const api: ImportExportConsole = {
    importText: async (text, options) => (await load()).importText(text, options),
    exportText: async (options) => (await load()).exportText(options),
  };
  Object.assign(client, api);
}
