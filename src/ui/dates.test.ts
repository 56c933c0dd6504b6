import { describe, expect, it } from 'vitest';
import { formatCalendarDate, formatDateField, formatInstant, formatInstantDate, formatTimeOfDay } from './dates.ts';
import { formatValue } from './describe-mutation.ts';

// The runner's locale is whatever the machine has: these check the shape, the browser test checks de-DE.
describe('dates', () => {
  it('writes a calendar date in words of the locale, the same day in every time zone', () => {
    const shown = formatCalendarDate('2031-05-15');
    expect(shown).not.toContain('2031-05-15');
    expect(shown).toContain('15');
    expect(shown).toContain('2031');
    expect(formatCalendarDate('2031-05-15', { withoutYear: true })).not.toContain('2031');
    expect(formatCalendarDate('2031-05-15', { weekday: true })).toBe(
      new Intl.DateTimeFormat(undefined, {
        timeZone: 'UTC',
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        year: 'numeric',
      }).format(Date.UTC(2031, 4, 15)),
    );
  });

  it('shows what is not a date or a time as it is', () => {
    expect(formatCalendarDate('someday')).toBe('someday');
    expect(formatTimeOfDay('noonish')).toBe('noonish');
    expect(formatInstantDate('never')).toBe('');
    expect(formatInstant('never')).toBe('');
  });

  it('writes a time of day and an instant in the locale', () => {
    expect(formatTimeOfDay('09:30')).toContain('30');
    const now = new Date(2026, 11, 7, 15, 0);
    expect(formatInstant(new Date(2026, 11, 7, 9, 5).getTime(), now)).toContain('05');
    expect(formatInstantDate('2026-03-04T10:00:00.000Z')).toContain('2026');
  });

  it('formats the date and time fields of a record, and nothing else', () => {
    expect(formatDateField('due', '2031-05-16')).toBe(formatCalendarDate('2031-05-16'));
    expect(formatDateField('start', '19:30')).toBe(formatTimeOfDay('19:30'));
    expect(formatDateField('title', '2031-05-16')).toBeNull();
    expect(formatValue('2031-05-16', 'date')).toBe(formatCalendarDate('2031-05-16'));
    expect(formatValue('2031-05-16', 'title')).toBe('2031-05-16');
  });
});
