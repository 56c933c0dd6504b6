import { describe, expect, it } from 'vitest';
import { recordOf } from '../ui-logic.test-helper.ts';
import { dayLabel, groupAgenda, localDate } from './agenda.ts';

describe('groupAgenda', () => {
  it('groups live events by day and orders all-day events, then by start', () => {
    const late = recordOf('events', { title: 'Late', date: '2026-03-02', start: '18:00' });
    const early = recordOf('events', { title: 'Early', date: '2026-03-02', start: '08:30' });
    const allDay = recordOf('events', { title: 'All day', date: '2026-03-02' });
    const first = recordOf('events', { title: 'First', date: '2026-03-01' });
    const gone = recordOf('events', { title: 'Gone', date: '2026-03-01' }, { deleted: true });
    const days = groupAgenda([late, early, allDay, first, gone]);
    expect(days.map((day) => [day.date, day.events.map((event) => event.fields.title)])).toEqual([
      ['2026-03-01', ['First']],
      ['2026-03-02', ['All day', 'Early', 'Late']],
    ]);
  });
});

describe('dayLabel', () => {
  const now = new Date(2026, 2, 10, 15, 0);
  it('names nearby days', () => {
    expect(dayLabel('2026-03-10', now)).toBe('Today');
    expect(dayLabel('2026-03-11', now)).toBe('Tomorrow');
    expect(dayLabel('2026-03-09', now)).toBe('Yesterday');
    expect(dayLabel('2026-03-20', now)).toContain('20');
    expect(localDate(now)).toBe('2026-03-10');
  });
});
