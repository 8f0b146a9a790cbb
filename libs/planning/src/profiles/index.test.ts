import { DEFAULT_PROFILE, executionProfileSchema, isClosedProfile, isOpenProfile, PROFILE_NAMES, type ExecutionProfile } from './index.js';

const issues = (input: unknown) =>
  executionProfileSchema.safeParse(input).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

/** One valid payload per profile, in QALIPSIS's REST names. */
const payloads: Record<ExecutionProfile['profile'], object> = {
  IMMEDIATELY: { profile: 'IMMEDIATELY' },
  REGULAR: { profile: 'REGULAR', periodInMs: 100, minionsCountProLaunch: 2 },
  ACCELERATING: { profile: 'ACCELERATING', startPeriodMs: 1000, accelerator: 2, minPeriodMs: 100, minionsCountProLaunch: 2 },
  PROGRESSING_VOLUME: { profile: 'PROGRESSING_VOLUME', periodMs: 1000, minionsCountProLaunchAtStart: 10, multiplier: 1.5, maxMinionsCountProLaunch: 200 },
  TIME_FRAME: { profile: 'TIME_FRAME', periodInMs: 100, timeFrameInMs: 1000 },
  STAGE: { profile: 'STAGE', stages: [{ minionsCount: 20, rampUpDurationMs: 5000, totalDurationMs: 15000 }] },
  PERCENTAGE_STAGE: { profile: 'PERCENTAGE_STAGE', stages: [{ minionsPercentage: 100, rampUpDurationMs: 5000, totalDurationMs: 15000 }] },
  CONSTANT_RATE: { profile: 'CONSTANT_RATE', rate: 10, durationMs: 1000 },
  RAMPING_RATE: { profile: 'RAMPING_RATE', startRate: 0, stages: [{ targetRate: 10, durationMs: 1000 }] },
};

describe('executionProfileSchema', () => {
  it.each(PROFILE_NAMES)('accepts %s', (name) => {
    expect(executionProfileSchema.parse(payloads[name]).profile).toBe(name);
  });

  it('normalises the aliases to canonical names', () => {
    expect(executionProfileSchema.parse({ profile: 'TIMEFRAME', periodMs: 100, timeFrameInMs: 1000 })).toEqual({
      profile: 'TIME_FRAME',
      periodInMs: 100,
      timeFrameInMs: 1000,
    });
    expect(executionProfileSchema.parse({ profile: 'REGULAR', periodMs: 100, minionsCountProLaunch: 2 })).toEqual({
      profile: 'REGULAR',
      periodInMs: 100,
      minionsCountProLaunch: 2,
    });
  });

  it('fills the defaults', () => {
    expect(executionProfileSchema.parse(payloads.STAGE)).toEqual({
      profile: 'STAGE',
      stages: [{ minionsCount: 20, rampUpDurationMs: 5000, totalDurationMs: 15000, resolutionMs: 500 }],
      completion: 'GRACEFUL',
    });
    expect(executionProfileSchema.parse(payloads.CONSTANT_RATE)).toMatchObject({ maxInFlight: 1000 });
  });

  it('drops unknown fields', () => {
    expect(executionProfileSchema.parse({ ...payloads.IMMEDIATELY, comment: 'x' })).toEqual({ profile: 'IMMEDIATELY' });
  });

  it('names an unknown or missing profile, and a payload that is not an object', () => {
    expect(issues({ profile: 'RAMP' })).toEqual([`profile: profile must be one of ${PROFILE_NAMES.join(', ')} (got "RAMP")`]);
    expect(issues({ periodInMs: 100 })).toEqual(['profile: profile is required']);
    expect(issues('STAGE')).toEqual([': executionProfile must be an object']);
  });

  it('collects every error of a profile in one answer', () => {
    expect(
      issues({
        profile: 'PERCENTAGE_STAGE',
        stages: [
          { minionsPercentage: 30, rampUpDurationMs: 100, totalDurationMs: 50, resolutionMs: 500 },
          { minionsPercentage: 60, rampUpDurationMs: 1000, totalDurationMs: -5 },
        ],
        completion: 'NOW',
      }),
    ).toEqual([
      'stages.0.rampUpDurationMs: rampUpDurationMs (100) must be >= resolutionMs (500)',
      'stages.0.totalDurationMs: totalDurationMs (50) must be >= rampUpDurationMs (100)',
      'stages.1.totalDurationMs: totalDurationMs must be > 0',
      'completion: completion must be GRACEFUL or HARD',
      'stages: minionsPercentage must sum to 100 (got 90)',
    ]);
  });
});

describe('profile kinds', () => {
  it('defaults to IMMEDIATELY', () => {
    expect(DEFAULT_PROFILE).toEqual({ profile: 'IMMEDIATELY' });
    expect(Object.isFrozen(DEFAULT_PROFILE)).toBe(true);
  });

  it('tells the open model from the closed one', () => {
    const open = PROFILE_NAMES.filter((name) => isOpenProfile(executionProfileSchema.parse(payloads[name])));
    expect(open).toEqual(['CONSTANT_RATE', 'RAMPING_RATE']);
    expect(isClosedProfile(DEFAULT_PROFILE)).toBe(true);
  });
});
