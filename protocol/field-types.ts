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
  return v.pipe(text(1, max), v.check(isHttpUrl, 'must be an http(s) URL'));
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** A point in time as ISO 8601 UTC with a `Z` (`2026-05-01T12:00:00Z`, milliseconds optional). */
export const timestamp = v.pipe(
  v.string('must be a string'),
  v.check(
    (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(value) && !Number.isNaN(Date.parse(value)),
    'must be an ISO 8601 UTC time like 2026-05-01T12:00:00Z',
  ),
);

/** The path of an image the server stored and serves itself: `/media/<sha256>.webp`. */
export const MEDIA_PATH = /^\/media\/[0-9a-f]{64}\.webp$/;

/** A raster image as a base64 data URL (no SVG): a favicon from an imported bookmarks file. */
const DATA_IMAGE_URL = /^data:image\/(png|gif|jpeg|webp|x-icon|vnd\.microsoft\.icon);base64,[A-Za-z0-9+/]+={0,2}$/;

/**
 * A card's cover image: the server's own `/media/<sha256>.webp`, or (for records written before
 * previews existed) an http(s) URL, which the page never loads and the server replaces.
 */
export const coverImage = v.pipe(
  text(1, 2048),
  v.check((value) => MEDIA_PATH.test(value) || isHttpUrl(value), 'must be a /media/<sha256>.webp path'),
);

/** A card's favicon: the server's own `/media/<sha256>.webp`, or a raster data URL until one is fetched. */
export function favicon(max: number) {
  return v.pipe(
    text(1, max),
    v.check(
      (value) => MEDIA_PATH.test(value) || DATA_IMAGE_URL.test(value),
      'must be a /media/<sha256>.webp path or a data:image/…;base64 URL',
    ),
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
