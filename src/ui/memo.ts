/** Skips re-rendering a component whose props are shallowly equal (compat's `memo`, without compat). */
import { Component, type ComponentType, h } from 'preact';

function shallowEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}

/** The live list keeps unchanged records as the same objects, so one edit re-renders one card. */
export function memo<P extends object>(component: ComponentType<P>): ComponentType<P> {
  return class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      return !shallowEqual(this.props as Record<string, unknown>, next as Record<string, unknown>);
    }
    override render() {
      return h(component, this.props);
    }
  };
}
