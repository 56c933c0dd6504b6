/**
 * A component whose code is loaded when it first renders, so a rarely used view costs the first
 * view nothing (`lazy` without compat). The worker precaches every chunk, so offline it loads too.
 */
import type { ComponentChildren, ComponentType, FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * Wraps `load` (a dynamic import) as a component: `placeholder` shows until the code is there;
 * a failure to load says so, with a way to try again.
 */
export function lazyComponent<P extends object>(
  load: () => Promise<ComponentType<P>>,
  placeholder: ComponentChildren = null,
): FunctionComponent<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  const start = () => {
    loading ??= load().then(
      (component) => {
        loaded = component;
        return component;
      },
      (error: unknown) => {
        // Not sticky: the next render (or "Try again") loads it again.
        loading = null;
        throw error;
      },
    );
    return loading;
  };
  return function Lazy(props: P) {
    const [component, setComponent] = useState(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (component || failed) return;
      let active = true;
      start().then(
        (ready) => active && setComponent(() => ready),
        () => active && setFailed(true),
      );
      return () => {
        active = false;
      };
    }, [component, failed]);
    if (component) {
      const Component = component;
      return <Component {...props} />;
    }
    if (failed) {
      return (
        <p class="notice notice-warn" role="alert">
          This part of Burrow could not be loaded. Check the connection, then{' '}
          <button type="button" class="link-button" onClick={() => setFailed(false)}>
            try again
          </button>
          .
        </p>
      );
    }
    return <>{placeholder}</>;
  };
}
