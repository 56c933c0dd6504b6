/** What every component reaches through context: the client, the current workspace, toasts. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { BurrowClient } from '../api/client.ts';

export interface AppContextValue {
  client: BurrowClient;
  workspaceId: string;
  /** True when changes sync to an account (so "not synced yet" means something). */
  syncsToAccount: boolean;
  /** Shows a short message; `action` adds one button to it. */
  toast(message: string, action?: { label: string; run: () => void }): void;
  /** Opens the card editor on an existing card, or on a new one of `kind`. */
  openCard(target: { id: string } | { kind: 'link' | 'note' }): void;
  /** Opens a link card's article text in the reading view. */
  openReader(cardId: string): void;
  openSyncPanel(): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

/** The app context; only used under <App>, where it is always set. */
export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp() outside <App>');
  return value;
}
