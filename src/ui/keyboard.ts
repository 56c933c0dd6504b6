/** Global keyboard shortcuts: `n` new card, `/` search. Esc and Enter belong to dialogs and forms. */
import { useEffect, useRef } from 'preact/hooks';

/**
 * A mouse or trackpad, where a keyboard is likely: only there are the shortcuts worth a hint.
 * A touch screen (`hover: none`, `pointer: coarse`) gets none.
 */
export const SHOW_KEY_HINTS =
  typeof matchMedia === 'function' && matchMedia('(hover: hover) and (pointer: fine)').matches;

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
