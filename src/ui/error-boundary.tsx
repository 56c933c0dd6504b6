/**
 * Catches an error thrown while rendering a part of the app and shows a readable message in
 * its place, with a way to try again, instead of leaving the part (or the whole page) blank.
 * Nothing is lost: records live in IndexedDB, and a boundary inside a form keeps its draft.
 */
import './error-boundary.css';
import { Component, type ComponentChildren } from 'preact';

interface ErrorBoundaryProps {
  /** What failed, in words: "This view", "The preview". */
  what: string;
  children: ComponentChildren;
}

interface ErrorBoundaryState {
  error: Error | null;
}

export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: null };

  static override getDerivedStateFromError(error: unknown): ErrorBoundaryState {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown): void {
    // The message on screen is for the person; the stack is for whoever opens the console.
    console.error(error);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div class="error-boundary" role="alert">
        <p class="empty-title">{this.props.what} could not be shown.</p>
        <p class="muted">
          Your data is safe on this device. The problem was: <code>{error.message || error.name}</code>
        </p>
        <button type="button" class="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
