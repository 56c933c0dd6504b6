/** Two versions of a text compared line by line, and the merge that starts from both: the conflict view's Merge…. */

/** A line of both versions, of mine only, or of theirs only. */
export interface DiffLine {
  side: 'both' | 'mine' | 'theirs';
  text: string;
}

/**
 * Past this many line pairs the differing middle is not compared line by line (its table would
 * cost too much memory and time on a phone): all of it is shown as differing, mine then theirs.
 * 1,000 × 1,000 lines is 4 MB of table.
 */
export const MAX_COMPARED_LINE_PAIRS = 1_000_000;

/**
 * The lines of `mine` and `theirs` in order, each marked as in both or in one only: the longest
 * common subsequence of lines, after the lines both share at the start and the end. Where the
 * versions differ, my lines come before theirs.
 */
export function diffLines(mine: string, theirs: string): DiffLine[] {
  const ours = linesOf(mine);
  const other = linesOf(theirs);
  let start = 0;
  while (start < ours.length && start < other.length && ours[start] === other[start]) start += 1;
  let oursEnd = ours.length;
  let otherEnd = other.length;
  while (oursEnd > start && otherEnd > start && ours[oursEnd - 1] === other[otherEnd - 1]) {
    oursEnd -= 1;
    otherEnd -= 1;
  }
  const shared = (text: string): DiffLine => ({ side: 'both', text });
  return [
    ...ours.slice(0, start).map(shared),
    ...diffMiddle(ours.slice(start, oursEnd), other.slice(start, otherEnd)),
    ...ours.slice(oursEnd).map(shared),
  ];
}

/** An empty text has no lines (not one empty line), so a merge with it is the other text. */
function linesOf(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

function diffMiddle(ours: string[], other: string[]): DiffLine[] {
  const mineOnly = (text: string): DiffLine => ({ side: 'mine', text });
  const theirsOnly = (text: string): DiffLine => ({ side: 'theirs', text });
  if (ours.length * other.length > MAX_COMPARED_LINE_PAIRS) return [...ours.map(mineOnly), ...other.map(theirsOnly)];
  // common[i * width + j]: how many lines ours[i..] and other[j..] have in common, in order.
  const width = other.length + 1;
  const common = new Uint32Array((ours.length + 1) * width);
  for (let i = ours.length - 1; i >= 0; i -= 1) {
    for (let j = other.length - 1; j >= 0; j -= 1) {
      common[i * width + j] =
        ours[i] === other[j]
          ? common[(i + 1) * width + j + 1] + 1
          : Math.max(common[(i + 1) * width + j], common[i * width + j + 1]);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < ours.length && j < other.length) {
    if (ours[i] === other[j]) {
      lines.push({ side: 'both', text: ours[i] });
      i += 1;
      j += 1;
    } else if (common[(i + 1) * width + j] >= common[i * width + j + 1]) {
      lines.push(mineOnly(ours[i]));
      i += 1;
    } else {
      lines.push(theirsOnly(other[j]));
      j += 1;
    }
  }
  return [...lines, ...ours.slice(i).map(mineOnly), ...other.slice(j).map(theirsOnly)];
}

/** The merge to start from: every line of either version, once where both have it. Nothing of mine is lost. */
export function mergeBoth(lines: DiffLine[]): string {
  return lines.map((line) => line.text).join('\n');
}

/** Whether a value reads as several lines (a note's text), so its merge is a line merge. */
export function isMultiline(field: string, values: unknown[]): boolean {
  return MULTILINE_FIELDS.has(field) || values.some((value) => typeof value === 'string' && value.includes('\n'));
}

/** The fields the forms edit in a text area. */
const MULTILINE_FIELDS = new Set(['content', 'description', 'notes']);
