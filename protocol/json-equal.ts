/**
 * Structural equality of JSON values, the server's rule for "this write changes nothing": object
 * key order does not matter, and an absent value equals `null` (an absent optional field), at
 * the top and inside objects. A client that mirrors what the server stored uses the same rule.
 */

/** True when `a` and `b` are the same JSON value; `undefined` counts as `null` (an absent optional field). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const left = a === undefined ? null : a;
  const right = b === undefined ? null : b;
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => jsonEqual(item, right[index]));
  }
  const leftObject = left as Record<string, unknown>;
  const rightObject = right as Record<string, unknown>;
  const keys = new Set([...Object.keys(leftObject), ...Object.keys(rightObject)]);
  for (const key of keys) if (!jsonEqual(leftObject[key], rightObject[key])) return false;
  return true;
}
