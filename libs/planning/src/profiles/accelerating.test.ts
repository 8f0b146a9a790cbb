import { acceleratingLines, acceleratingSchema } from './accelerating.js';

const messages = (input: unknown) => acceleratingSchema.safeParse(input).error?.issues.map((issue) => issue.message) ?? [];

const valid = { profile: 'ACCELERATING', startPeriodMs: 1000, accelerator: 2, minPeriodMs: 100, minionsCountProLaunch: 2 };

describe('ACCELERATING', () => {
  it('parses a valid profile', () => {
    expect(acceleratingSchema.parse(valid)).toEqual(valid);
  });

  it('refuses an accelerator that does not accelerate, and a floor above the first period', () => {
    expect(messages({ ...valid, accelerator: 1 })).toEqual(['accelerator must be > 1']);
    expect(messages({ ...valid, minPeriodMs: 2000 })).toEqual(['minPeriodMs (2000) must be <= startPeriodMs (1000)']);
    expect(messages({ profile: 'ACCELERATING', startPeriodMs: -1, accelerator: 0.5, minPeriodMs: 0, minionsCountProLaunch: 0 })).toEqual([
      'startPeriodMs must be > 0',
      'accelerator must be > 1',
      'minPeriodMs must be > 0',
      'minionsCountProLaunch must be >= 1',
    ]);
    expect(messages({ ...valid, startPeriodMs: 'slow', minPeriodMs: 2000 })).toEqual(['startPeriodMs must be a number']);
  });

  it('divides each period by the accelerator, never below minPeriodMs', () => {
    // Periods: 1000, 500, 250, 125, max(100, 62) = 100.
    expect(acceleratingLines(acceleratingSchema.parse(valid), 10)).toEqual([
      { atMs: 1000, count: 2 },
      { atMs: 1500, count: 2 },
      { atMs: 1750, count: 2 },
      { atMs: 1875, count: 2 },
      { atMs: 1975, count: 2 },
    ]);
  });

  it('floors the divided period and lets the last line take what is left', () => {
    const profile = acceleratingSchema.parse({ ...valid, startPeriodMs: 999, accelerator: 3, minPeriodMs: 50, minionsCountProLaunch: 4 });
    // Periods: 999, 333, 111, max(50, 37) = 50.
    expect(acceleratingLines(profile, 13)).toEqual([
      { atMs: 999, count: 4 },
      { atMs: 1332, count: 4 },
      { atMs: 1443, count: 4 },
      { atMs: 1493, count: 1 },
    ]);
  });
});
