import fc from 'fast-check';
import { nextRunAfter, nextRuns, restrictionProblems, type RecurrenceKind, type ScheduleRule } from './occurrences.js';
import { instantOf, isoWeekday, localOf, type LocalDateTime } from './local-time.js';
import { parseScheduledAt } from './scheduled-at.js';
import { offsetAt, resolveTimeZone } from './zones.js';

const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString().replace('.000Z', 'Z'));
const at = (text: string) => {
  const p = parseScheduledAt(text);
  if (typeof p === 'string') throw new Error(p);
  return p.epochMs;
};
function rule(scheduledAt: string, timeZone: string, kind: RecurrenceKind | null, restrictions: number[] = []): ScheduleRule {
  const zone = resolveTimeZone(timeZone);
  if (!zone) throw new Error(timeZone);
  return { startMs: at(scheduledAt), zone, recurrence: kind ? { kind, restrictions } : null };
}
const runs = (r: ScheduleRule, n: number, from = r.startMs) => iso(nextRuns(r, from, n));

describe('the reference examples (2025-12-01T05:00:00Z)', () => {
  it('DAILY in EDT on Mondays and Thursdays at Toronto midnight', () => {
    expect(runs(rule('2025-12-01T05:00:00Z', 'EDT', 'DAILY', [1, 4]), 4)).toEqual(['2025-12-01T05:00:00Z', '2025-12-04T05:00:00Z', '2025-12-08T05:00:00Z', '2025-12-11T05:00:00Z']);
  });
  it('HOURLY in Berlin at 5 and 20 local, minute of scheduledAt', () => {
    expect(runs(rule('2025-12-01T05:00:00Z', 'Europe/Berlin', 'HOURLY', [5, 20]), 4)).toEqual(['2025-12-01T19:00:00Z', '2025-12-02T04:00:00Z', '2025-12-02T19:00:00Z', '2025-12-03T04:00:00Z']);
  });
  it('MONTHLY in WAT on the 15th and the last day at Lagos time', () => {
    expect(runs(rule('2025-12-01T05:00:00Z', 'WAT', 'MONTHLY', [-1, 15]), 6)).toEqual([
      '2025-12-15T05:00:00Z', '2025-12-31T05:00:00Z', '2026-01-15T05:00:00Z', '2026-01-31T05:00:00Z', '2026-02-15T05:00:00Z', '2026-02-28T05:00:00Z',
    ]);
  });
  it('the request example: DAILY in Berlin on Mondays and Thursdays at 06:00 local', () => {
    expect(runs(rule('2025-12-01T05:00:00Z', 'Europe/Berlin', 'DAILY', [1, 4]), 3)).toEqual(['2025-12-01T05:00:00Z', '2025-12-04T05:00:00Z', '2025-12-08T05:00:00Z']);
  });
});

describe('one-off', () => {
  it('runs once, at scheduledAt', () => {
    const r = rule('2025-12-01T05:00:00[Europe/Vienna]', 'UTC', null);
    expect(runs(r, 5)).toEqual(['2025-12-01T04:00:00Z']);
    expect(nextRunAfter(r, r.startMs)).toBeNull();
    expect(nextRuns(r, r.startMs + 1, 5)).toEqual([]);
  });
});

describe('Europe/Berlin daylight saving', () => {
  it('DAILY at 02:30 runs at 03:30 CEST on the spring-forward night (shifted by the gap)', () => {
    expect(runs(rule('2025-03-28T02:30:00[Europe/Berlin]', 'Europe/Berlin', 'DAILY'), 4)).toEqual(['2025-03-28T01:30:00Z', '2025-03-29T01:30:00Z', '2025-03-30T01:30:00Z', '2025-03-31T00:30:00Z']);
  });
  it('DAILY at 02:30 runs once, at the first 02:30, on the fall-back night', () => {
    expect(runs(rule('2025-10-25T02:30:00[Europe/Berlin]', 'Europe/Berlin', 'DAILY'), 3)).toEqual(['2025-10-25T00:30:00Z', '2025-10-26T00:30:00Z', '2025-10-27T01:30:00Z']);
  });
  it('HOURLY keeps the local minute and runs once per local hour across both nights', () => {
    expect(runs(rule('2025-03-30T00:15:00[Europe/Berlin]', 'Europe/Berlin', 'HOURLY'), 4)).toEqual(['2025-03-29T23:15:00Z', '2025-03-30T00:15:00Z', '2025-03-30T01:15:00Z', '2025-03-30T02:15:00Z']);
    // 00:15, 01:15, 02:15 CEST, then the repeated 02:15 CET does not run again.
    expect(runs(rule('2025-10-26T00:15:00[Europe/Berlin]', 'Europe/Berlin', 'HOURLY'), 4)).toEqual(['2025-10-25T22:15:00Z', '2025-10-25T23:15:00Z', '2025-10-26T00:15:00Z', '2025-10-26T02:15:00Z']);
  });
  it('HOURLY at hour 2 on the spring-forward night runs at 03:xx, once', () => {
    expect(runs(rule('2025-03-29T02:30:00[Europe/Berlin]', 'CET', 'HOURLY', [2, 3]), 5)).toEqual([
      '2025-03-29T01:30:00Z', '2025-03-29T02:30:00Z', '2025-03-30T01:30:00Z', '2025-03-31T00:30:00Z', '2025-03-31T01:30:00Z',
    ]);
  });
  it('keeps the wall-clock time across the change (never drifts by an hour)', () => {
    const r = rule('2025-03-01T09:00:00[Europe/Berlin]', 'Europe/Berlin', 'DAILY', [1]);
    expect(nextRuns(r, r.startMs, 10).map((t) => localOf(t, 'Europe/Berlin').hour)).toEqual(Array(10).fill(9));
  });
});

describe('America/Toronto', () => {
  it('DAILY at 02:30 through its spring-forward and fall-back nights', () => {
    expect(runs(rule('2025-03-08T02:30:00[America/Toronto]', 'EST', 'DAILY'), 3)).toEqual(['2025-03-08T07:30:00Z', '2025-03-09T07:30:00Z', '2025-03-10T06:30:00Z']);
    expect(runs(rule('2025-11-01T01:30:00[America/Toronto]', 'America/Toronto', 'DAILY'), 3)).toEqual(['2025-11-01T05:30:00Z', '2025-11-02T05:30:00Z', '2025-11-03T06:30:00Z']);
  });
});

describe('Asia/Kolkata (half-hour offset, no daylight saving)', () => {
  it('HOURLY at 9 and 18 local, at the local minute of scheduledAt (00:00Z is 05:30 there)', () => {
    expect(runs(rule('2025-06-01T00:00:00Z', 'Asia/Kolkata', 'HOURLY', [9, 18]), 3)).toEqual(['2025-06-01T04:00:00Z', '2025-06-01T13:00:00Z', '2025-06-02T04:00:00Z']);
  });
  it('IST and +05:30 mean the same clock', () => {
    const a = runs(rule('2025-06-01T10:00:00+05:30', 'IST', 'DAILY', [7]), 3);
    expect(a).toEqual(runs(rule('2025-06-01T10:00:00+05:30', '+05:30', 'DAILY', [7]), 3));
    expect(a).toEqual(['2025-06-01T04:30:00Z', '2025-06-08T04:30:00Z', '2025-06-15T04:30:00Z']);
  });
});

describe('Australia/Lord_Howe (a half-hour shift)', () => {
  it('02:15 on its spring-forward night (02:00 → 02:30) runs at 02:45', () => {
    expect(runs(rule('2025-10-04T02:15:00[Australia/Lord_Howe]', 'Australia/Lord_Howe', 'DAILY'), 3)).toEqual(['2025-10-03T15:45:00Z', '2025-10-04T15:45:00Z', '2025-10-05T15:15:00Z']);
    expect(localOf(at('2025-10-05T02:15:00[Australia/Lord_Howe]'), 'Australia/Lord_Howe')).toMatchObject({ hour: 2, minute: 45 });
  });
  it('01:45 on its fall-back night (02:00 → 01:30) runs once, at the first', () => {
    expect(runs(rule('2025-04-05T01:45:00[Australia/Lord_Howe]', 'Australia/Lord_Howe', 'DAILY'), 3)).toEqual(['2025-04-04T14:45:00Z', '2025-04-05T14:45:00Z', '2025-04-06T15:15:00Z']);
  });
});

describe('MONTHLY', () => {
  it('-1 and -2 in February of a leap year and of a common year', () => {
    expect(runs(rule('2024-02-01T12:00:00Z', 'UTC', 'MONTHLY', [-1, -2]), 2)).toEqual(['2024-02-28T12:00:00Z', '2024-02-29T12:00:00Z']);
    expect(runs(rule('2025-02-01T12:00:00Z', 'UTC', 'MONTHLY', [-1, -2]), 4)).toEqual(['2025-02-27T12:00:00Z', '2025-02-28T12:00:00Z', '2025-03-30T12:00:00Z', '2025-03-31T12:00:00Z']);
  });
  it('the 31st skips the months that lack it (never rolled into the next)', () => {
    expect(runs(rule('2025-01-31T08:00:00Z', 'UTC', 'MONTHLY'), 5)).toEqual(['2025-01-31T08:00:00Z', '2025-03-31T08:00:00Z', '2025-05-31T08:00:00Z', '2025-07-31T08:00:00Z', '2025-08-31T08:00:00Z']);
    expect(runs(rule('2025-01-01T08:00:00Z', 'UTC', 'MONTHLY', [31, -31]), 3)).toEqual(['2025-01-01T08:00:00Z', '2025-01-31T08:00:00Z', '2025-03-01T08:00:00Z']);
  });
  it('the 30th and -30 skip February only', () => {
    expect(runs(rule('2025-01-30T08:00:00Z', 'UTC', 'MONTHLY', [30]), 3)).toEqual(['2025-01-30T08:00:00Z', '2025-03-30T08:00:00Z', '2025-04-30T08:00:00Z']);
  });
  it('in Berlin, across the spring-forward night', () => {
    expect(runs(rule('2025-01-30T02:30:00[Europe/Berlin]', 'Europe/Berlin', 'MONTHLY'), 2)).toEqual(['2025-01-30T01:30:00Z', '2025-03-30T01:30:00Z']);
  });
});

describe('scheduledAt runs only when the restrictions admit it', () => {
  it('a Tuesday anchor with a Monday-only rule starts the next Monday', () => {
    expect(runs(rule('2025-12-02T10:00:00Z', 'UTC', 'DAILY', [1]), 1)).toEqual(['2025-12-08T10:00:00Z']);
  });
  it('a past anchor gives the occurrences after "from", from the rule alone', () => {
    const r = rule('2020-01-06T10:00:00Z', 'UTC', 'DAILY', [1]);
    expect(runs(r, 2, at('2025-12-02T00:00:00Z'))).toEqual(['2025-12-08T10:00:00Z', '2025-12-15T10:00:00Z']);
  });
});

describe('restriction ranges', () => {
  it('names each bad value', () => {
    expect(restrictionProblems('HOURLY', [0, 23, 24, -1]).map((p) => p.index)).toEqual([2, 3]);
    expect(restrictionProblems('DAILY', [0, 1, 7, 8]).map((p) => p.index)).toEqual([0, 3]);
    expect(restrictionProblems('MONTHLY', [0, 1, 31, 32, -31, -32, 1.5]).map((p) => p.index)).toEqual([0, 3, 5, 6]);
  });
});

describe('properties', () => {
  const zones = ['Europe/Berlin', 'America/Toronto', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC', 'Asia/Kathmandu', 'America/St_Johns'];
  const ruleArb = fc
    .record({
      zone: fc.constantFrom(...zones),
      // Whole minutes between 2020 and 2030.
      startMinute: fc.integer({ min: 26_297_280, max: 31_556_160 }),
      kind: fc.constantFrom<RecurrenceKind>('HOURLY', 'DAILY', 'MONTHLY'),
      seed: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 4 }),
    })
    .map(({ zone, startMinute, kind, seed }): ScheduleRule => {
      const restrictions = seed.map((s) => (kind === 'HOURLY' ? s % 24 : kind === 'DAILY' ? 1 + (s % 7) : (s % 2 ? 1 : -1) * (1 + (s % 31))));
      return { startMs: startMinute * 60_000, zone, recurrence: { kind, restrictions } };
    });

  /** Whether a wall-clock time is the rule's local time on a day it admits. */
  function matchesLocal(r: ScheduleRule, l: LocalDateTime): boolean {
    const anchor = localOf(r.startMs, r.zone);
    if (l.minute !== anchor.minute || l.second !== anchor.second) return false;
    const { kind, restrictions } = r.recurrence!;
    if (kind === 'HOURLY') return restrictions.length === 0 || restrictions.includes(l.hour);
    if (l.hour !== anchor.hour) return false;
    if (kind === 'DAILY') return restrictions.length === 0 || restrictions.includes(isoWeekday(l.year, l.month, l.day));
    const last = new Date(Date.UTC(l.year, l.month, 0)).getUTCDate();
    return restrictions.length === 0 ? l.day === anchor.day : restrictions.some((d) => (d > 0 ? d : last + 1 + d) === l.day);
  }

  /** An instant showing the rule's local time on an admitted day, the first time that wall clock shows it. */
  function admitsDirectly(r: ScheduleRule, t: number): boolean {
    const l = localOf(t, r.zone);
    return t >= r.startMs && matchesLocal(r, l) && instantOf(l, r.zone) === t;
  }

  /** An instant a skipped local time was moved to: the wall clock, set back by the gap just before it, matches the rule. */
  function admitsShifted(r: ScheduleRule, t: number): boolean {
    const gapMs = (offsetAt(r.zone, t) - offsetAt(r.zone, t - 86_400_000)) * 60_000;
    if (gapMs <= 0) return false;
    const skipped = localOf(t + offsetAt(r.zone, t) * 60_000 - gapMs, 'UTC');
    return t >= r.startMs && matchesLocal(r, skipped) && instantOf(skipped, r.zone) === t;
  }

  it('are strictly increasing, at or after the start, and each admitted by the rule', () => {
    fc.assert(
      fc.property(ruleArb, (r) => {
        const ts = nextRuns(r, r.startMs, 12);
        expect(ts.length).toBe(12);
        for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThan(ts[i - 1]!);
        expect(ts[0]!).toBeGreaterThanOrEqual(r.startMs);
        for (const t of ts) expect(admitsDirectly(r, t) || admitsShifted(r, t)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('leave out no instant the rule admits between two consecutive occurrences', () => {
    fc.assert(
      fc.property(ruleArb, (r) => {
        const ts = nextRuns(r, r.startMs, 3);
        for (let i = 1; i < ts.length; i++) {
          // Offsets are whole quarter hours here, so an admitted instant is on this 15-minute grid.
          for (let t = ts[i - 1]! + 15 * 60_000; t < ts[i]!; t += 15 * 60_000) expect(admitsDirectly(r, t)).toBe(false);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('do not depend on where the computation starts (never from the last run)', () => {
    fc.assert(
      fc.property(ruleArb, fc.integer({ min: 0, max: 5 }), (r, k) => {
        const ts = nextRuns(r, r.startMs, 8);
        expect(nextRuns(r, ts[k]!, 8 - k)).toEqual(ts.slice(k));
        expect(nextRunAfter(r, ts[k]!)).toBe(ts[k + 1]);
      }),
      { numRuns: 200 },
    );
  });
});
