import fc from 'fast-check';
import { executionProfileSchema, type OpenProfile } from './profiles/index.js';
import { arrivalAtMs, arrivalsBefore, planRate, rateAt, scheduleEndMs, totalArrivals } from './rate.js';
import type { RateSchedule } from './rate-schedule.js';

const open = (input: unknown) => executionProfileSchema.parse(input) as OpenProfile;

const ramp = (startRate: number, ...stages: [targetRate: number, durationMs: number][]) =>
  open({ profile: 'RAMPING_RATE', startRate, stages: stages.map(([targetRate, durationMs]) => ({ targetRate, durationMs })) });

describe('planRate', () => {
  it('is one flat segment for CONSTANT_RATE', () => {
    expect(planRate(open({ profile: 'CONSTANT_RATE', rate: 50, durationMs: 10000 }), 1)).toEqual({
      segments: [{ startMs: 0, durationMs: 10000, fromRate: 50, toRate: 50 }],
    });
  });

  it('divides durations and multiplies rates by the speedFactor, keeping the number of arrivals', () => {
    const profile = ramp(2, [10, 1000], [10, 3000], [0, 2000]);
    const fast = planRate(profile, 4);
    expect(fast).toEqual({
      segments: [
        { startMs: 0, durationMs: 250, fromRate: 8, toRate: 40 },
        { startMs: 250, durationMs: 750, fromRate: 40, toRate: 40 },
        { startMs: 1000, durationMs: 500, fromRate: 40, toRate: 0 },
      ],
    });
    expect(totalArrivals(fast)).toBe(totalArrivals(planRate(profile, 1)));
    expect(scheduleEndMs(fast)).toBe(1500);
  });
});

describe('arrivals of a constant rate', () => {
  const schedule = planRate(open({ profile: 'CONSTANT_RATE', rate: 30, durationMs: 10000 }), 1);

  it('counts floor(rate × duration) arrivals, none at the end instant', () => {
    expect(totalArrivals(schedule)).toBe(300);
    expect(arrivalAtMs(schedule, 299)).toBeLessThan(10000);
    expect(arrivalAtMs(schedule, 300)).toBe(Number.POSITIVE_INFINITY);
  });

  it('places arrival k at k·1000/rate, from the start instant', () => {
    for (let k = 0; k < 300; k++) expect(arrivalAtMs(schedule, k)).toBe((k * 1000) / 30);
  });

  it('counts the arrivals strictly before an instant', () => {
    expect(arrivalsBefore(schedule, 0)).toBe(0);
    expect(arrivalsBefore(schedule, 1)).toBe(1);
    expect(arrivalsBefore(schedule, 1000)).toBe(30);
    expect(arrivalsBefore(schedule, 1000.001)).toBe(31);
    expect(arrivalsBefore(schedule, 1e9)).toBe(300);
    expect(arrivalsBefore(schedule, -5)).toBe(0);
  });

  it('gives the rate inside the schedule and 0 outside', () => {
    expect(rateAt(schedule, 0)).toBe(30);
    expect(rateAt(schedule, 9999)).toBe(30);
    expect(rateAt(schedule, 10000)).toBe(0);
    expect(rateAt(schedule, -1)).toBe(0);
  });

  it('is exact for a billion arrivals: no drift, the last one kept', () => {
    const long = planRate(open({ profile: 'CONSTANT_RATE', rate: 20000, durationMs: 50_000_000 }), 1);
    expect(totalArrivals(long)).toBe(1e9);
    expect(arrivalAtMs(long, 999_999_999)).toBe((999_999_999 * 1000) / 20000);
    expect(arrivalsBefore(long, arrivalAtMs(long, 987_654_321))).toBe(987_654_321);
  });
});

describe('arrivals of a ramp', () => {
  // 0 → 100/s over 10 s: N(t) = 100·t² / (2·10000·1000), so arrival k is at √(200000·k).
  const schedule = planRate(ramp(0, [100, 10000], [0, 5000]), 1);

  it('solves the quadratic in closed form', () => {
    expect(totalArrivals(schedule)).toBe(750);
    expect(arrivalAtMs(schedule, 0)).toBe(0);
    for (const k of [1, 2, 100, 499]) expect(arrivalAtMs(schedule, k)).toBeCloseTo(Math.sqrt(200000 * k), 9);
    expect(arrivalAtMs(schedule, 500)).toBeCloseTo(10000, 9);
    // Falling ramp, 100 → 0/s over 5 s: arrival 500 + m at 10 s + τ where 100·τ − τ²/100 = 1000·m.
    expect(arrivalAtMs(schedule, 700)).toBeCloseTo(10000 + (10000 - Math.sqrt(2e7)) / 2, 6);
    expect(arrivalAtMs(schedule, 749)).toBeLessThan(15000);
  });

  it('gives the linear rate', () => {
    expect(rateAt(schedule, 5000)).toBe(50);
    expect(rateAt(schedule, 12500)).toBe(50);
  });

  it('waits for the rate to resume after a stretch at rate 0', () => {
    const paused = planRate(ramp(0, [0, 2000], [10, 1000]), 1);
    expect(arrivalAtMs(paused, 0)).toBe(2000);
    expect(arrivalsBefore(paused, 1999)).toBe(0);
    expect(arrivalsBefore(paused, 2000)).toBe(0);
    expect(arrivalsBefore(paused, 2000.5)).toBe(1);
  });
});

describe('arrivals: properties over random schedules', () => {
  const rateArb = fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 500, noNaN: true }));
  const stageArb = fc.tuple(rateArb, fc.double({ min: 1, max: 20000, noNaN: true }));
  const scheduleArb = fc
    .tuple(rateArb, fc.array(stageArb, { minLength: 1, maxLength: 6 }), fc.double({ min: 0.1, max: 10, noNaN: true }))
    .filter(([start, stages]) => start > 0 || stages.some(([target]) => target > 0))
    .map(([start, stages, speedFactor]) => planRate(ramp(start, ...stages), speedFactor));

  it('places arrivals in order and arrivalsBefore(arrivalAtMs(k)) = k', () => {
    fc.assert(
      fc.property(scheduleArb, (schedule: RateSchedule) => {
        const total = totalArrivals(schedule);
        let previous = -Infinity;
        for (let k = 0; k < total; k++) {
          const at = arrivalAtMs(schedule, k);
          expect(at).toBeGreaterThanOrEqual(previous);
          expect(at).toBeLessThanOrEqual(scheduleEndMs(schedule));
          expect(arrivalsBefore(schedule, at)).toBe(k);
          previous = at;
        }
        expect(arrivalsBefore(schedule, scheduleEndMs(schedule) + 1)).toBe(total);
      }),
      { numRuns: 60 },
    );
  });

  it('counts floor(∫ rate dt) arrivals', () => {
    fc.assert(
      fc.property(scheduleArb, (schedule: RateSchedule) => {
        const integral = schedule.segments.reduce((sum, s) => sum + ((s.fromRate + s.toRate) / 2) * (s.durationMs / 1000), 0);
        const total = totalArrivals(schedule);
        expect(Number.isInteger(total)).toBe(true);
        expect(total).toBeLessThanOrEqual(integral + 1e-6);
        expect(total).toBeGreaterThan(integral - 1);
      }),
    );
  });

  it('places CONSTANT_RATE arrival k at k·1000/rate', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 20000, noNaN: true }), fc.integer({ min: 1, max: 3_600_000 }), (rate, durationMs) => {
        const schedule = planRate(open({ profile: 'CONSTANT_RATE', rate, durationMs }), 1);
        const total = totalArrivals(schedule);
        for (const k of [0, 1, Math.floor(total / 2), total - 1].filter((n) => n >= 0 && n < total)) {
          expect(arrivalAtMs(schedule, k)).toBe((k * 1000) / rate);
        }
      }),
    );
  });
});

describe('arrival arguments', () => {
  it('refuses a negative arrival number and a schedule out of order', () => {
    const schedule = planRate(open({ profile: 'CONSTANT_RATE', rate: 1, durationMs: 1000 }), 1);
    expect(() => arrivalAtMs(schedule, -1)).toThrow(RangeError);
    const overlapping: RateSchedule = {
      segments: [
        { startMs: 0, durationMs: 1000, fromRate: 1, toRate: 1 },
        { startMs: 500, durationMs: 1000, fromRate: 1, toRate: 1 },
      ],
    };
    expect(() => totalArrivals(overlapping)).toThrow(RangeError);
  });

  it('treats a gap between segments as rate 0', () => {
    const gapped: RateSchedule = {
      segments: [
        { startMs: 0, durationMs: 1000, fromRate: 2, toRate: 2 },
        { startMs: 3000, durationMs: 1000, fromRate: 2, toRate: 2 },
      ],
    };
    expect(totalArrivals(gapped)).toBe(4);
    expect([0, 1, 2, 3].map((k) => arrivalAtMs(gapped, k))).toEqual([0, 500, 3000, 3500]);
    expect(rateAt(gapped, 2000)).toBe(0);
    expect(arrivalsBefore(gapped, 2000)).toBe(2);
  });

  it('has no arrival in an empty schedule', () => {
    expect(totalArrivals({ segments: [] })).toBe(0);
    expect(arrivalAtMs({ segments: [] }, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(arrivalsBefore({ segments: [] }, 100)).toBe(0);
  });
});
