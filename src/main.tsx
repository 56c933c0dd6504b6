/** Page entry: boots the client (worker registration, `window.burrow`) and renders the app. */
import './ui/base.css';
import { render } from 'preact';
import { bootClient } from './api/boot-client.ts';
import { App } from './ui/app.tsx';
import { installImportExportConsole } from './ui/import-export-console.ts';

/** "A new version is available": remembered until the app listens, so an early one is not lost. */
let applyUpdate: (() => void) | null = null;
const updateListeners = new Set<(apply: () => void) => void>();

function onUpdateAvailable(listener: (apply: () => void) => void): void {
  updateListeners.add(listener);
  if (applyUpdate) listener(applyUpdate);
}

const client = bootClient({
  onUpdateReady(apply) {
    applyUpdate = apply;
    for (const listener of updateListeners) listener(apply);
  },
});

installImportExportConsole(client);

render(<App client={client} onUpdateAvailable={onUpdateAvailable} />, document.getElementById('app')!);
