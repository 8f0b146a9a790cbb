import { percentageStageCounts, percentageStageLines, percentageStageProfileSchema } from './percentage-stage.js';

const messages = (input: unknown) =>
  percentageStageProfileSchema.safeParse(input).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

/** The reference's PERCENTAGE_STAGE payload. */
const reference = {
  profile: 'PERCENTAGE_STAGE',
  stages: [
    { minionsPercentage: 40.0, rampUpDurationMs: 5000, totalDurationMs: 15000, resolutionMs: 500 },
    { minionsPercentage: 60.0, rampUpDurationMs: 10000, totalDurationMs: 25000, resolutionMs: 500 },
  ],
  completion: 'GRACEFUL',
};

const withPercentages = (...percentages: number[]) => ({
  profile: 'PERCENTAGE_STAGE',
  stages: percentages.map((minionsPercentage) => ({ minionsPercentage, rampUpDurationMs: 1000, totalDurationMs: 1000 })),
});

describe('PERCENTAGE_STAGE', () => {
  it('parses the reference payload', () => {
    expect(percentageStageProfileSchema.parse(reference)).toEqual(reference);
  });

  it('reproduces the worked example: 40/60 of 200 is 10 lines of 8, then 20 lines of 6', () => {
    const lines = percentageStageLines(percentageStageProfileSchema.parse(reference), 200);
    expect(lines).toEqual([
      ...Array.from({ length: 10 }, (_, i) => ({ atMs: i * 500, count: 8 })),
      ...Array.from({ length: 20 }, (_, i) => ({ atMs: 15000 + i * 500, count: 6 })),
    ]);
  });

  it('splits minionsCount exactly by largest remainder', () => {
    const profile = percentageStageProfileSchema.parse(withPercentages(33.333, 33.333, 33.334));
    expect(percentageStageCounts(profile, 10)).toEqual([3, 3, 4]);
    expect(percentageStageCounts(profile, 1)).toEqual([0, 0, 1]);
  });

  it('accepts percentages within 0.001 of 100 and still splits the exact total', () => {
    const profile = percentageStageProfileSchema.parse(withPercentages(50.0004, 50.0005));
    expect(percentageStageCounts(profile, 999).reduce((a, b) => a + b, 0)).toBe(999);
  });

  it('requires the percentages to sum to 100', () => {
    expect(messages(withPercentages(40, 50))).toEqual(['stages: minionsPercentage must sum to 100 (got 90)']);
    expect(messages(withPercentages(50.01, 50))).toEqual(["stages: minionsPercentage must sum to 100 (got 100.01)"]);
  });

  it('reports the sum along with the other errors', () => {
    expect(
      messages({
        profile: 'PERCENTAGE_STAGE',
        stages: [
          { minionsPercentage: 40, rampUpDurationMs: 100, totalDurationMs: 1000, resolutionMs: 500 },
          { minionsPercentage: 50, rampUpDurationMs: 'x', totalDurationMs: 1000 },
        ],
      }),
    ).toEqual([
      'stages.0.rampUpDurationMs: rampUpDurationMs (100) must be >= resolutionMs (500)',
      'stages.1.rampUpDurationMs: rampUpDurationMs must be a number',
      'stages: minionsPercentage must sum to 100 (got 90)',
    ]);
  });

  it('refuses percentages outside [0, 100]', () => {
    expect(messages(withPercentages(-10, 110))).toEqual([
      'stages.0.minionsPercentage: minionsPercentage must be >= 0',
      'stages.1.minionsPercentage: minionsPercentage must be <= 100',
    ]);
  });
});
