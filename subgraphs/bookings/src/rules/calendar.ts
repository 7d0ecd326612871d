import type { CalendarHold, DayAvailability } from '../domain';
import { addDays, daysBetween } from './days';

/** The nights [from, to), each FREE, BOOKED (a stay holds it) or BLOCKED (the host took it off). */
export function calendarDays(from: string, to: string, holds: readonly CalendarHold[]): DayAvailability[] {
  const days: DayAvailability[] = Array.from({ length: Math.max(0, daysBetween(from, to)) }, (_, i) => ({
    date: addDays(from, i),
    status: 'FREE',
  }));
  for (const hold of holds) {
    const first = Math.max(0, daysBetween(from, hold.from));
    const last = Math.min(days.length, daysBetween(from, hold.to));
    for (let i = first; i < last; i++) {
      const day = days[i];
      if (day) day.status = hold.kind === 'STAY' ? 'BOOKED' : 'BLOCKED';
    }
  }
  return days;
}

/** What is left of the range [from, to) after taking out [cutFrom, cutTo): zero, one or two ranges. */
export function subtractRange(range: { from: string; to: string }, cut: { from: string; to: string }): { from: string; to: string }[] {
  const left = { from: range.from, to: cut.from < range.to ? cut.from : range.to };
  const right = { from: cut.to > range.from ? cut.to : range.from, to: range.to };
  return [left, right].filter((r) => r.from < r.to);
}
