/** The field value types of PROTOCOL.md (text, URL, date, colour, …) as valibot schemas. */
import * as v from 'valibot';
import { isUuid } from './ids.ts';

/** Control characters other than tab, line feed and carriage return (C0, DEL and C1). */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Length in characters (code points), as PROTOCOL.md counts them; `length` counts UTF-16 units. */
function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function withinLength(value: string, min: number, max: number): boolean {
  // Code points never exceed UTF-16 units, so the cheap bound settles most strings.
  if (value.length <= max && value.length >= min) return true;
  const count = characterCount(value);
  return count >= min && count <= max;
}

/** A text field of `min`–`max` characters without control characters. */
export function text(min: number, max: number) {
  const range = min > 0 ? `${min}–${max} characters` : `at most ${max} characters`;
  return v.pipe(
    v.string('must be a string'),
    v.check((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters'),
    v.check((value) => withinLength(value, min, max), `must be ${range}`),
  );
}

/** An absolute http(s) URL of at most `max` characters. */
export function httpUrl(max: number) {
  return v.pipe(
    text(1, max),
    v.check((value) => {
      try {
        const { protocol } = new URL(value);
        return protocol === 'http:' || protocol === 'https:';
      } catch {
        return false;
      }
    }, 'must be an http(s) URL'),
  );
}

/** A calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
export const calendarDate = v.pipe(
  v.string('must be a string'),
  v.check((value) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!match) return false;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }, 'must be a date YYYY-MM-DD'),
);

/** A time of day `HH:MM`, 00:00–23:59. */
export const timeOfDay = v.pipe(
  v.string('must be a string'),
  v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM'),
);

/** A colour `#rrggbb`. */
export const hexColor = v.pipe(v.string('must be a string'), v.regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour #rrggbb'));

/** A canonical lowercase UUID. */
export const uuid = v.pipe(
  v.string('must be a string'),
  v.check((value) => isUuid(value), 'must be a lowercase UUID'),
);

/** A finite number (no NaN or Infinity, which JSON cannot carry anyway). */
export const finiteNumber = v.pipe(v.number('must be a number'), v.finite('must be a finite number'));

export const bool = v.boolean('must be true or false');

/** One of the given strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(options: T) {
  return v.picklist(options, `must be one of ${options.join(', ')}`);
}

/** An array of at most `max` items of `item`. */
export function listOf<S extends v.GenericSchema>(item: S, max: number) {
  return v.pipe(v.array(item, 'must be an array'), v.maxLength(max, `must have at most ${max} items`));
}
