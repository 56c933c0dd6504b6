// @vitest-environment happy-dom
/** @jsxImportSource preact */
import { render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from './error-boundary.tsx';

let fail = true;
function Fragile() {
  if (fail) throw new Error('Maximum call stack size exceeded');
  return <p>Rendered fine</p>;
}

afterEach(() => {
  render(null, document.body);
  vi.restoreAllMocks();
});

describe('ErrorBoundary', () => {
  it('shows a readable message with the error instead of an empty view, and recovers on Try again', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    fail = true;
    render(
      <ErrorBoundary what="This view">
        <Fragile />
      </ErrorBoundary>,
      document.body,
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    const alert = document.body.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('This view could not be shown.');
    expect(alert?.textContent).toContain('Maximum call stack size exceeded');
    expect(alert?.textContent).toContain('Your data is safe');
    fail = false;
    (alert!.querySelector('button') as HTMLButtonElement).click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(document.body.textContent).toBe('Rendered fine');
  });

  it('renders its children when nothing fails', () => {
    fail = false;
    render(
      <ErrorBoundary what="This view">
        <Fragile />
      </ErrorBoundary>,
      document.body,
    );
    expect(document.body.textContent).toBe('Rendered fine');
  });
});
