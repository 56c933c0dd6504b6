/** Global keyboard shortcuts: `n` new card, `/` search. Esc and Enter belong to dialogs and forms. */
import { useEffect, useRef } from 'preact/hooks';

export interface Shortcuts {
  newCard: () => void;
  focusSearch: () => void;
}

/** True while the person is typing somewhere, when a letter must stay a letter. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function useKeyboardShortcuts(shortcuts: Shortcuts): void {
  const latest = useRef(shortcuts);
  latest.current = shortcuts;
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      // A shortcut must not act behind an open dialog.
      if (document.querySelector('dialog[open]')) return;
      if (event.key === 'n') {
        event.preventDefault();
        latest.current.newCard();
      } else if (event.key === '/') {
        event.preventDefault();
        latest.current.focusSearch();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}
