/**
 * What a new password must not be: one of the most common passwords (the list of
 * @zxcvbn-ts/language-common, about 49,000 entries, loaded on the server only and only when
 * first needed), the same character over and over, or built from the person's email.
 * Checks are lookups and linear scans: a crafted password costs no more than any other.
 * (zxcvbn's full estimate was tried and rejected: a 64-character password of repeated leet
 * substitutions took 500 ms of the event loop.)
 */

let commonPasswords: Promise<Set<string>> | undefined;

/** Starts loading the list (about 0.6 s of work, once): call it at start, not at the first sign-up. */
export function loadCommonPasswords(): Promise<Set<string>> {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase())),
  );
  return commonPasswords;
}

/** Undoes the usual letter-for-symbol swaps (`p@$$w0rd` → `password`), one reading per ambiguity. */
const LEET: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '3': 'e',
  '6': 'g',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
  '+': 't',
  '2': 'z',
};

function unleet(text: string, one: 'i' | 'l'): string {
  return text.replace(/[@48360$57+2!1|]/g, (character) =>
    character === '1' || character === '!' || character === '|' ? one : LEET[character],
  );
}

/** The forms of a password looked up in the list: as typed, without trailing digits and symbols, un-leeted. */
function candidates(lower: string): string[] {
  const trimmed = lower.replace(/[\d\W_]+$/u, '');
  return [lower, trimmed, unleet(lower, 'i'), unleet(lower, 'l'), unleet(trimmed, 'i'), unleet(trimmed, 'l')];
}

/** Why `password` may not be used by the owner of `email`, or null when it may. */
export async function passwordProblem(password: string, email: string): Promise<string | null> {
  const lower = password.normalize('NFC').toLowerCase();
  const [local, domain] = email.split('@');
  const parts = [email, local, domain.split('.')[0]].filter((part) => part.length >= 4);
  if (parts.some((part) => lower.includes(part))) {
    return 'must not contain your email address or its parts';
  }
  if (new Set(lower).size <= 2) return 'must not be one or two characters repeated';
  const common = await loadCommonPasswords();
  if (candidates(lower).some((candidate) => candidate.length > 0 && common.has(candidate))) {
    return 'is one of the most common passwords; choose something less predictable';
  }
  return null;
}
