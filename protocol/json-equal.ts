/**
 * Equality of JSON values, shared by the page's store and the server, so both tell a real change
 * from a no-op by the same rule.
 *
 * The rule: two values are equal when they would be sent as the same JSON, object key order
 * aside. A key whose value is `undefined` is absent (JSON drops it); absent and `null` differ,
 * because the protocol stores them apart ("omitted optional fields stay absent; `null` stores
 * `null`"): setting a field that was never written to `null` is a change.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => jsonEqual(item, b[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const leftKeys = Object.keys(left).filter((key) => left[key] !== undefined);
  const rightKeys = Object.keys(right).filter((key) => right[key] !== undefined);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}
