/** A labelled text input with its hint and error tied to it for screen readers, as every form uses it. */
import './forms.css';
import { useEffect, useRef } from 'preact/hooks';

export interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  error?: string;
  type?: 'text' | 'url' | 'email' | 'password';
  placeholder?: string;
  hint?: string;
  /** Focus this field when it appears (the first field of a dialog). */
  focusOnOpen?: boolean;
}

/** A labelled input with its error message tied to it for screen readers. */
export function TextField({
  label,
  name,
  value,
  onInput,
  error,
  type = 'text',
  placeholder,
  hint,
  focusOnOpen,
}: TextFieldProps) {
  const input = useFocusOnOpen<HTMLInputElement>(focusOnOpen);
  const describedBy = error ? `${name}-error` : hint ? `${name}-hint` : undefined;
  return (
    <label class="field">
      <span>{label}</span>
      <input
        // Preact types each input type separately; these four share every attribute used here.
        type={type as 'text'}
        name={name}
        value={value}
        placeholder={placeholder}
        ref={input}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
      {hint && !error && (
        <span class="field-hint" id={`${name}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span class="field-error" id={`${name}-error`}>
          {error}
        </span>
      )}
    </label>
  );
}

/** A ref that focuses its element once, when it mounts, if `enabled`. */
export function useFocusOnOpen<T extends HTMLElement>(enabled = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (enabled) ref.current?.focus();
  }, []);
  return ref;
}
