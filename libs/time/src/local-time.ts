import { DateTime } from 'luxon';
import { offsetAt, zoneOf } from './zones.js';

/** A wall-clock date and time, without a zone. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const DAY_MS = 86_400_000;

/**
 * The instant a wall-clock time names in a zone. A time skipped by a daylight-saving gap is
 * shifted forward by the length of the gap (02:30 on Berlin's spring-forward night is 03:30
 * CEST, as java.time and luxon resolve it); a time that happens twice is the first of the two.
 * Computed from the offsets a day either side, so it does not depend on luxon's guess order.
 */
export function instantOf(local: LocalDateTime, zone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second, local.millisecond);
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset * 60_000)
    .filter((t) => offsetAt(zone, t) * 60_000 === wall - t)
    .sort((a, b) => a - b);
  // Several: an overlap, the first wins. None: a gap; the offset in force before it moves
  // the time forward by exactly the gap.
  return candidates[0] ?? wall - before * 60_000;
}

/** The wall-clock time of an instant in a zone. */
export function localOf(epochMs: number, zone: string): LocalDateTime {
  const d = DateTime.fromMillis(epochMs, { zone: zoneOf(zone) });
  return { year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute, second: d.second, millisecond: d.millisecond };
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export function isoWeekday(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return d === 0 ? 7 : d;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The calendar date `days` after a date (negative: before). */
export function addDays(year: number, month: number, day: number, days: number): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** `2025-12-01 06:00`: the label of a fired campaign, in the schedule's zone. */
export function localLabel(epochMs: number, zone: string): string {
  return DateTime.fromMillis(epochMs, { zone: zoneOf(zone) }).toFormat('yyyy-MM-dd HH:mm');
}
