import { planEndMs, planLines, replaysUntilEnd } from './lines.js';
import { executionProfileSchema, type ClosedProfile, type ExecutionProfile } from './profiles/index.js';
import { MAX_STARTING_LINES, totalMinions } from './starting-line.js';

const parse = (input: unknown): ExecutionProfile => executionProfileSchema.parse(input);
const closed = (input: unknown) => parse(input) as ClosedProfile;

const stageReference = closed({
  profile: 'STAGE',
  stages: [
    { minionsCount: 20, rampUpDurationMs: 5000, totalDurationMs: 15000, resolutionMs: 500 },
    { minionsCount: 40, rampUpDurationMs: 10000, totalDurationMs: 25000, resolutionMs: 500 },
  ],
  completion: 'GRACEFUL',
});

const percentageReference = closed({
  profile: 'PERCENTAGE_STAGE',
  stages: [
    { minionsPercentage: 40.0, rampUpDurationMs: 5000, totalDurationMs: 15000, resolutionMs: 500 },
    { minionsPercentage: 60.0, rampUpDurationMs: 10000, totalDurationMs: 25000, resolutionMs: 500 },
  ],
  completion: 'GRACEFUL',
});

const progressingReference = closed({
  profile: 'PROGRESSING_VOLUME',
  periodMs: 1000,
  minionsCountProLaunchAtStart: 10,
  multiplier: 1.5,
  maxMinionsCountProLaunch: 200,
});

/** `count` lines of `perLine` every `stepMs` from `fromMs`. */
const every = (fromMs: number, stepMs: number, count: number, perLine: number) =>
  Array.from({ length: count }, (_, i) => ({ atMs: fromMs + i * stepMs, count: perLine }));

describe('planLines: the worked examples of docs/api.md#closed-model', () => {
  it('STAGE: 10 lines of 2 from 0, then 20 lines of 2 from 15000; the scenario minionsCount is ignored', () => {
    const expected = [...every(0, 500, 10, 2), ...every(15000, 500, 20, 2)];
    expect(planLines(stageReference, 200, 1)).toEqual(expected);
    expect(planLines(stageReference, 0, 1)).toEqual(expected);
    expect(planEndMs(stageReference, 1)).toBe(40000);
  });

  it('PERCENTAGE_STAGE 40/60 of 200: 10 lines of 8, then 20 lines of 6', () => {
    expect(planLines(percentageReference, 200, 1)).toEqual([...every(0, 500, 10, 8), ...every(15000, 500, 20, 6)]);
    expect(planEndMs(percentageReference, 1)).toBe(40000);
  });

  it('PROGRESSING_VOLUME 200 minions, 10 ×1.5 max 200: 10, 15, 22, 33, 49, 71 every second from 1000', () => {
    expect(planLines(progressingReference, 200, 1)).toEqual(
      [10, 15, 22, 33, 49, 71].map((count, i) => ({ atMs: (i + 1) * 1000, count })),
    );
  });

  it('speedFactor 2 halves every atMs and the end', () => {
    expect(planLines(stageReference, 0, 2)).toEqual([...every(0, 250, 10, 2), ...every(7500, 250, 20, 2)]);
    expect(planEndMs(stageReference, 2)).toBe(20000);
    expect(planLines(progressingReference, 200, 2).map((line) => line.atMs)).toEqual([500, 1000, 1500, 2000, 2500, 3000]);
  });

  it('speedFactor 0.5 doubles them', () => {
    expect(planLines(progressingReference, 200, 0.5)[0]).toEqual({ atMs: 2000, count: 10 });
    expect(planEndMs(stageReference, 0.5)).toBe(80000);
  });
});

describe('planLines: every closed profile', () => {
  it('IMMEDIATELY starts everything at 0', () => {
    expect(planLines(closed({ profile: 'IMMEDIATELY' }), 200, 3)).toEqual([{ atMs: 0, count: 200 }]);
  });

  it('REGULAR, ACCELERATING and TIME_FRAME start exactly minionsCount', () => {
    const profiles = [
      closed({ profile: 'REGULAR', periodMs: 10, minionsCountProLaunch: 7 }),
      closed({ profile: 'ACCELERATING', startPeriodMs: 1000, accelerator: 1.7, minPeriodMs: 3, minionsCountProLaunch: 4 }),
      closed({ profile: 'TIMEFRAME', periodInMs: 10, timeFrameInMs: 333 }),
    ];
    for (const profile of profiles) {
      for (const minions of [0, 1, 6, 7, 8, 1000]) {
        const lines = planLines(profile, minions, 1);
        expect(totalMinions(lines)).toBe(minions);
        expect(lines.every((line) => line.count > 0 && Number.isInteger(line.count))).toBe(true);
        expect(lines.every((line, i) => i === 0 || line.atMs > lines[i - 1].atMs)).toBe(true);
      }
    }
  });

  it('refuses a bad minionsCount or speedFactor', () => {
    expect(() => planLines(stageReference, -1, 1)).toThrow('minionsCount must be an integer >= 0 (got -1)');
    expect(() => planLines(stageReference, 1.5, 1)).toThrow(RangeError);
    expect(() => planLines(stageReference, 1, 0)).toThrow('speedFactor must be a finite number > 0 (got 0)');
    expect(() => planEndMs(stageReference, Number.NaN)).toThrow(RangeError);
  });

  it(`refuses a plan of more than ${MAX_STARTING_LINES} lines`, () => {
    const oneByOne = closed({ profile: 'REGULAR', periodInMs: 1, minionsCountProLaunch: 1 });
    expect(() => planLines(oneByOne, MAX_STARTING_LINES + 1, 1)).toThrow(RangeError);
  });
});

describe('planEndMs', () => {
  it('is the sum of the durations of a rate schedule', () => {
    expect(planEndMs(parse({ profile: 'CONSTANT_RATE', rate: 5, durationMs: 60000 }), 1)).toBe(60000);
    const ramp = parse({
      profile: 'RAMPING_RATE',
      startRate: 1,
      stages: [
        { targetRate: 10, durationMs: 1000 },
        { targetRate: 0, durationMs: 3000 },
      ],
    });
    expect(planEndMs(ramp, 1)).toBe(4000);
    expect(planEndMs(ramp, 4)).toBe(1000);
  });

  it('is null for the profiles that start each minion once', () => {
    for (const input of [{ profile: 'IMMEDIATELY' }, { profile: 'TIME_FRAME', periodInMs: 1, timeFrameInMs: 2 }]) {
      expect(planEndMs(parse(input), 1)).toBeNull();
    }
  });
});

describe('replaysUntilEnd', () => {
  it('is always true in the stage profiles', () => {
    expect(replaysUntilEnd(stageReference, false)).toBe(true);
    expect(replaysUntilEnd(percentageReference, false)).toBe(true);
  });

  it('follows the scenario loop in the other closed profiles', () => {
    expect(replaysUntilEnd(progressingReference, false)).toBe(false);
    expect(replaysUntilEnd(progressingReference, true)).toBe(true);
  });

  it('is false in the open model, whose iterations are arrivals', () => {
    expect(replaysUntilEnd(parse({ profile: 'CONSTANT_RATE', rate: 5, durationMs: 1000 }), true)).toBe(false);
  });
});
