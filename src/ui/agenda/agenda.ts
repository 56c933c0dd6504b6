/** Events grouped into an agenda by day, and how a day is named. */
import type { EventFields } from '../../../protocol/index.ts';
import type { RecordView } from '../../api/client.ts';
import { formatCalendarDate } from '../dates.ts';

export interface AgendaDay {
  date: string;
  events: RecordView[];
}

function eventFields(record: RecordView): EventFields {
  return record.fields as unknown as EventFields;
}

/** Live events by date, ascending; within a day, all-day events first, then by start time. */
export function groupAgenda(events: RecordView[]): AgendaDay[] {
  const days = new Map<string, RecordView[]>();
  for (const event of events) {
    if (event.deleted) continue;
    const { date } = eventFields(event);
    days.set(date, [...(days.get(date) ?? []), event]);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([date, list]) => ({
      date,
      events: list.sort((a, b) => (eventFields(a).start ?? '').localeCompare(eventFields(b).start ?? '')),
    }));
}

/** Local calendar date `YYYY-MM-DD` of `now`. */
export function localDate(now: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** "Today", "Tomorrow", "Yesterday" or the date written out in the person's locale. */
export function dayLabel(date: string, now: Date): string {
  const [year, month, day] = date.split('-').map(Number);
  const target = Date.UTC(year, month - 1, day);
  const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  const difference = Math.round((target - today) / 86_400_000);
  if (difference === 0) return 'Today';
  if (difference === 1) return 'Tomorrow';
  if (difference === -1) return 'Yesterday';
  return formatCalendarDate(date, { weekday: true, withoutYear: year === now.getFullYear() });
}
