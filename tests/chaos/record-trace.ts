/** The wire history of the records a failed audit names: what each one sent and was answered. */
import type { WireTap } from './wire-tap.ts';

/** How many records a failed run traces: enough to see the pattern, not a flood. */
const MAX_TRACED = 5;

/** Every `table/id` a problem line names (ids are UUIDs), without repeats. */
export function recordsNamed(problems: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const problem of problems) {
    for (const [key] of problem.matchAll(/[A-Za-z]+\/[0-9a-f]{8}-[0-9a-f-]{27}/g)) keys.add(key);
  }
  return [...keys].slice(0, MAX_TRACED);
}

/** One line per push mutation and REST write of `key`, with the server's answer, in wire order. */
export function traceRecord(tap: WireTap, key: string): string[] {
  const id = key.slice(key.indexOf('/') + 1);
  const lines: string[] = [];
  for (const push of tap.pushes) {
    for (const mutation of push.mutations.filter((sent) => sent.recordId === id)) {
      const result = push.response?.results.find((answer) => answer.seq === mutation.seq);
      const { op, seq, baseVersion, fields } = mutation;
      const sent = `push ${push.clientId.slice(-4)} seq ${seq} ${op} base v${baseVersion} ${JSON.stringify(fields ?? {})}`;
      lines.push(`${key}: ${sent} → ${push.outcome} ${push.status ?? ''} ${JSON.stringify(result ?? null)}`);
    }
  }
  for (const write of tap.restWrites.filter((rest) => rest.recordId === id)) {
    lines.push(
      `${key}: rest ${write.method} → ${write.outcome} ${write.status ?? ''} ${JSON.stringify(write.envelope)}`,
    );
  }
  return lines;
}
