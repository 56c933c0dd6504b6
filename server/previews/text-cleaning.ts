/** Text taken from a page made fit for a card field: no control characters, white space tidied, cut to a limit. */

const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** One line: control characters removed, runs of white space made one space, trimmed. */
export function cleanLine(value: string | null | undefined): string {
  return (value ?? '').replace(CONTROL_CHARACTERS, '').replace(/\s+/g, ' ').trim();
}

/** Cuts `value` to at most `max` characters (code points, as the protocol counts), at a word when it can. */
export function cutText(value: string, max: number): string {
  if (value.length <= max) return value;
  const points = Array.from(value);
  if (points.length <= max) return value;
  const cut = points.slice(0, max - 1).join('');
  const atWord = cut.replace(/\s+\S*$/, '');
  return `${atWord.length > max * 0.8 ? atWord : cut}…`;
}

/** A line cleaned and cut; null when nothing is left. */
export function fieldText(value: string | null | undefined, max: number): string | null {
  const line = cleanLine(value);
  return line === '' ? null : cutText(line, max);
}
