import { addDays, daysInMonth, instantOf, isoWeekday, localOf, type LocalDateTime } from './local-time.js';

export const RECURRENCES = ['HOURLY', 'DAILY', 'MONTHLY'] as const;
export type RecurrenceKind = (typeof RECURRENCES)[number];

/** How a schedule repeats: QALIPSIS's `scheduling` block, its zone already resolved. */
export interface Recurrence {
  kind: RecurrenceKind;
  /** Local hours (HOURLY), ISO weekdays (DAILY) or month days, negative from the end (MONTHLY). Empty: no restriction. */
  restrictions: readonly number[];
}

/** Everything occurrences depend on: nothing about when the schedule last ran. */
export interface ScheduleRule {
  /** `scheduledAt`: the first instant that may run, and the anchor of the local time. */
  startMs: number;
  /** The zone whose wall clock the rule follows (a resolveTimeZone name). */
  zone: string;
  /** Null: runs once, at startMs. */
  recurrence: Recurrence | null;
}

const RANGES: Record<RecurrenceKind, { what: string; ok: (n: number) => boolean; range: string }> = {
  HOURLY: { what: 'hour', ok: (n) => n >= 0 && n <= 23, range: '0 to 23' },
  DAILY: { what: 'ISO weekday', ok: (n) => n >= 1 && n <= 7, range: '1 (Monday) to 7 (Sunday)' },
  MONTHLY: { what: 'month day', ok: (n) => (n >= 1 && n <= 31) || (n >= -31 && n <= -1), range: '1 to 31 or -1 to -31' },
};

/** Every restriction that the kind does not allow, by index: `[{ index: 1, message }]`. */
export function restrictionProblems(kind: RecurrenceKind, restrictions: readonly number[]): { index: number; message: string }[] {
  const { what, ok, range } = RANGES[kind];
  return restrictions.flatMap((n, index) => (Number.isInteger(n) && ok(n) ? [] : [{ index, message: `${n} is not a ${what}: ${kind} restrictions are ${range}` }]));
}

/**
 * The first `count` occurrences at or after `fromMs` (and at or after the rule's start), in
 * increasing order. Each is the instant of a local date and time that the rule admits,
 * resolved by instantOf: a daylight-saving gap shifts it forward by the gap, an overlap runs
 * once at the first of the two instants. A month lacking a day skips it.
 */
export function nextRuns(rule: ScheduleRule, fromMs: number, count: number): number[] {
  const bound = Math.max(fromMs, rule.startMs);
  if (!rule.recurrence) return rule.startMs >= fromMs && count > 0 ? [rule.startMs] : [];
  const anchor = localOf(rule.startMs, rule.zone);
  const out: number[] = [];
  const take = (candidates: number[]) => {
    for (const t of candidates.sort((a, b) => a - b)) {
      // Two local times can land on one instant (HOURLY's 02:30 and 03:30 on a spring-forward night).
      if (t >= bound && (out.length === 0 || t > out[out.length - 1]!) && out.length < count) out.push(t);
    }
  };
  // Start a day (a month) early: a local date and the instant's date can differ near midnight.
  const first = localOf(bound, rule.zone);
  if (rule.recurrence.kind === 'MONTHLY') {
    // Every month has days 1..28: a restriction list finds a day within a year at worst.
    for (let i = -1; out.length < count && i < (count + 2) * 13; i++) {
      const ym = shiftMonth(first.year, first.month, i);
      take(monthDays(ym.year, ym.month, rule.recurrence.restrictions, anchor.day).map((day) => instantOf({ ...anchor, ...ym, day }, rule.zone)));
    }
  } else {
    const { kind, restrictions } = rule.recurrence;
    for (let i = -1; out.length < count && i < (count + 2) * 8; i++) {
      const date = addDays(first.year, first.month, first.day, i);
      take(dayTimes(kind, restrictions, anchor, date).map((local) => instantOf(local, rule.zone)));
    }
  }
  return out;
}

/** The next occurrence strictly after `afterMs`, or null (a one-off that already ran). */
export function nextRunAfter(rule: ScheduleRule, afterMs: number): number | null {
  return nextRuns(rule, afterMs + 1, 1)[0] ?? null;
}

/** Local times of one calendar date that HOURLY or DAILY admits. */
function dayTimes(kind: RecurrenceKind, restrictions: readonly number[], anchor: LocalDateTime, date: { year: number; month: number; day: number }): LocalDateTime[] {
  if (kind === 'DAILY') {
    const ok = restrictions.length === 0 || restrictions.includes(isoWeekday(date.year, date.month, date.day));
    return ok ? [{ ...anchor, ...date }] : [];
  }
  const hours = restrictions.length ? [...new Set(restrictions)] : Array.from({ length: 24 }, (_, h) => h);
  return hours.map((hour) => ({ ...anchor, ...date, hour }));
}

/** The days of a month MONTHLY admits: negative counts from the end; a day the month lacks is skipped. */
export function monthDays(year: number, month: number, restrictions: readonly number[], anchorDay: number): number[] {
  const last = daysInMonth(year, month);
  const wanted = restrictions.length ? restrictions.map((d) => (d > 0 ? d : last + 1 + d)) : [anchorDay];
  return [...new Set(wanted.filter((d) => d >= 1 && d <= last))].sort((a, b) => a - b);
}

function shiftMonth(year: number, month: number, by: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + by;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}
