/** Dates and times as the person's locale writes them (`Intl`), never as ISO strings: every view formats through here. */

/** One formatter per set of options: building an `Intl.DateTimeFormat` costs more than using one (lists format many). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let found = formatters.get(key);
  if (!found) {
    // `undefined`: the browser's locale, the person's.
    found = new Intl.DateTimeFormat(undefined, options);
    formatters.set(key, found);
  }
  return found;
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_OF_DAY = /^(\d{2}):(\d{2})/;

export interface CalendarDateStyle {
  /** Name the weekday ("Thursday, 15 May 2031"). */
  weekday?: boolean;
  /** Leave the year out (for dates of the current year). */
  withoutYear?: boolean;
}

/**
 * A calendar date `YYYY-MM-DD` (a day, in no time zone: an event's date, a todo's due date) as
 * "15 May 2031", "May 15, 2031" or "15. Mai 2031"; anything else is shown as it is.
 */
export function formatCalendarDate(date: string, style: CalendarDateStyle = {}): string {
  const match = CALENDAR_DATE.exec(date);
  if (!match) return date;
  const [, year, month, day] = match.map(Number);
  // The day at midnight UTC, formatted in UTC: the same day wherever the person is.
  return formatter({
    timeZone: 'UTC',
    weekday: style.weekday ? 'long' : undefined,
    day: 'numeric',
    month: style.weekday ? 'long' : 'short',
    year: style.withoutYear ? undefined : 'numeric',
  }).format(Date.UTC(year, month - 1, day));
}

/** A time of day `HH:MM` as "9:30 AM" or "09:30"; anything else is shown as it is. */
export function formatTimeOfDay(time: string): string {
  const match = TIME_OF_DAY.exec(time);
  if (!match) return time;
  return formatter({ timeZone: 'UTC', timeStyle: 'short' }).format(
    Date.UTC(2000, 0, 1, Number(match[1]), Number(match[2])),
  );
}

/** An instant (ISO string or milliseconds) as its date: "3 Dec 2026" ("3 December 2026" long); empty when it is no time. */
export function formatInstantDate(instant: string | number, style: 'medium' | 'long' = 'medium'): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return '';
  return formatter({ dateStyle: style }).format(date);
}

/** An instant as the clock time when it is today, else as a short date and time; empty when it is no time. */
export function formatInstant(instant: string | number, now: Date = new Date()): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay
    ? formatter({ hour: '2-digit', minute: '2-digit' }).format(date)
    : formatter({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
}

/** Fields that hold a calendar date, a time of day, or an instant (see protocol/tables.ts). */
const CALENDAR_DATE_FIELDS = new Set(['date', 'due']);
const TIME_OF_DAY_FIELDS = new Set(['start', 'end']);
const INSTANT_FIELDS = new Set(['savedAt', 'modifiedAt', 'fetchedAt', 'publishedAt', 'expiresAt', 'createdAt']);

/** A field's string value in the person's words when it is a date or a time; null when it is not one. */
export function formatDateField(field: string, value: string): string | null {
  if (CALENDAR_DATE_FIELDS.has(field)) return formatCalendarDate(value);
  if (TIME_OF_DAY_FIELDS.has(field)) return formatTimeOfDay(value);
  if (INSTANT_FIELDS.has(field)) return formatInstant(value) || value;
  return null;
}
