import { stageLines, stageProfileSchema, stagesEndMs } from './stage.js';

const messages = (input: unknown) =>
  stageProfileSchema.safeParse(input).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

/** The reference's STAGE payload. */
const reference = {
  profile: 'STAGE',
  stages: [
    { minionsCount: 20, rampUpDurationMs: 5000, totalDurationMs: 15000, resolutionMs: 500 },
    { minionsCount: 40, rampUpDurationMs: 10000, totalDurationMs: 25000, resolutionMs: 500 },
  ],
  completion: 'GRACEFUL',
};

const linesEvery = (fromMs: number, count: number, perLine: number) =>
  Array.from({ length: count }, (_, i) => ({ atMs: fromMs + i * 500, count: perLine }));

describe('STAGE', () => {
  it('parses the reference payload', () => {
    expect(stageProfileSchema.parse(reference)).toEqual(reference);
  });

  it('defaults resolutionMs to 500 and completion to GRACEFUL', () => {
    const profile = stageProfileSchema.parse({ profile: 'STAGE', stages: [{ minionsCount: 1, rampUpDurationMs: 500, totalDurationMs: 500 }] });
    expect(profile.stages[0].resolutionMs).toBe(500);
    expect(profile.completion).toBe('GRACEFUL');
    expect(stageProfileSchema.parse({ ...reference, completion: 'HARD' }).completion).toBe('HARD');
  });

  it('reproduces the worked example line for line', () => {
    expect(stageLines(stageProfileSchema.parse(reference))).toEqual([...linesEvery(0, 10, 2), ...linesEvery(15000, 20, 2)]);
  });

  it('ends the last stage at its start plus its totalDurationMs', () => {
    expect(stagesEndMs(stageProfileSchema.parse(reference).stages)).toBe(40000);
  });

  it('writes fewer lines when rounding up uses the stage minions early', () => {
    const profile = stageProfileSchema.parse({
      profile: 'STAGE',
      stages: [{ minionsCount: 5, rampUpDurationMs: 2000, totalDurationMs: 3000, resolutionMs: 500 }],
    });
    // L = 4 lines of ceil(5 / 4) = 2: 2, 2, 1.
    expect(stageLines(profile)).toEqual([
      { atMs: 0, count: 2 },
      { atMs: 500, count: 2 },
      { atMs: 1000, count: 1 },
    ]);
  });

  it('keeps the time of a stage that starts no minion (a plateau)', () => {
    const profile = stageProfileSchema.parse({
      profile: 'STAGE',
      stages: [
        { minionsCount: 2, rampUpDurationMs: 500, totalDurationMs: 1000 },
        { minionsCount: 0, rampUpDurationMs: 500, totalDurationMs: 5000 },
        { minionsCount: 1, rampUpDurationMs: 500, totalDurationMs: 1000 },
      ],
    });
    expect(stageLines(profile)).toEqual([
      { atMs: 0, count: 2 },
      { atMs: 6000, count: 1 },
    ]);
  });

  it('requires resolution <= rampUp <= total, naming the fields and values', () => {
    expect(
      messages({
        profile: 'STAGE',
        stages: [
          { minionsCount: 1, rampUpDurationMs: 100, totalDurationMs: 1000, resolutionMs: 500 },
          { minionsCount: 1, rampUpDurationMs: 5000, totalDurationMs: 4000 },
        ],
      }),
    ).toEqual([
      'stages.0.rampUpDurationMs: rampUpDurationMs (100) must be >= resolutionMs (500)',
      'stages.1.totalDurationMs: totalDurationMs (4000) must be >= rampUpDurationMs (5000)',
    ]);
  });

  it('collects the errors of every stage and field at once', () => {
    expect(
      messages({
        profile: 'STAGE',
        stages: [
          { minionsCount: 1.5, rampUpDurationMs: 100, totalDurationMs: 50, resolutionMs: 500 },
          { rampUpDurationMs: 0, totalDurationMs: 1000 },
        ],
        completion: 'SOFT',
      }),
    ).toEqual([
      'stages.0.minionsCount: minionsCount must be an integer',
      'stages.0.rampUpDurationMs: rampUpDurationMs (100) must be >= resolutionMs (500)',
      'stages.0.totalDurationMs: totalDurationMs (50) must be >= rampUpDurationMs (100)',
      'stages.1.minionsCount: minionsCount is required',
      'stages.1.rampUpDurationMs: rampUpDurationMs must be > 0',
      'completion: completion must be GRACEFUL or HARD',
    ]);
  });

  it('refuses no stage, and stages that start no minion at all', () => {
    expect(messages({ profile: 'STAGE', stages: [] })).toEqual(['stages: stages must hold at least one stage']);
    expect(messages({ profile: 'STAGE' })).toEqual(['stages: stages is required']);
    expect(messages({ profile: 'STAGE', stages: [{ minionsCount: 0, rampUpDurationMs: 500, totalDurationMs: 500 }] })).toEqual([
      'stages: stages must start at least one minion (every minionsCount is 0)',
    ]);
  });
});
