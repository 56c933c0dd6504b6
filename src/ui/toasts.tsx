/**
 * Short messages, one at a time, announced to screen readers: at the bottom of a wide screen, and
 * on a phone as a row of the header (in the flow, so they push the list down and never cover it).
 */
import './toasts.css';
import { useCallback, useRef, useState } from 'preact/hooks';
import { Icon } from './icons.tsx';

export interface Toast {
  id: number;
  message: string;
  action?: { label: string; run: () => void };
}

const TOAST_MILLISECONDS = 6000;

/** The toasts on screen and a function adding one (it leaves after a few seconds). */
export function useToasts(): [Toast[], (message: string, action?: Toast['action']) => void, (id: number) => void] {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((toast) => toast.id !== id)), []);
  const show = useCallback(
    (message: string, action?: Toast['action']) => {
      const id = nextId.current++;
      // One at a time: the newest replaces the one showing, so a burst never stacks over the list.
      setToasts([{ id, message, action }]);
      setTimeout(() => dismiss(id), TOAST_MILLISECONDS);
    },
    [dismiss],
  );
  return [toasts, show, dismiss];
}

export function Toasts({ toasts, dismiss }: { toasts: Toast[]; dismiss: (id: number) => void }) {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <div class="toast" key={toast.id}>
          <span>{toast.message}</span>
          {toast.action && (
            <button
              type="button"
              class="link-button"
              onClick={() => {
                toast.action!.run();
                dismiss(toast.id);
              }}
            >
              {toast.action.label}
            </button>
          )}
          <button type="button" class="icon-button" aria-label="Dismiss message" onClick={() => dismiss(toast.id)}>
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}
