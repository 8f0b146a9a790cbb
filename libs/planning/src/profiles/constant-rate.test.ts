import { constantRateSchedule, constantRateSchema } from './constant-rate.js';

const messages = (input: unknown) => constantRateSchema.safeParse(input).error?.issues.map((issue) => issue.message) ?? [];

describe('CONSTANT_RATE', () => {
  it('defaults maxInFlight to 1000', () => {
    expect(constantRateSchema.parse({ profile: 'CONSTANT_RATE', rate: 50, durationMs: 60000 })).toEqual({
      profile: 'CONSTANT_RATE',
      rate: 50,
      durationMs: 60000,
      maxInFlight: 1000,
    });
  });

  it('names each bad field', () => {
    expect(messages({ profile: 'CONSTANT_RATE', rate: 0, durationMs: 0, maxInFlight: 0.5 })).toEqual([
      'rate must be > 0',
      'durationMs must be > 0',
      'maxInFlight must be an integer',
      'maxInFlight must be >= 1',
    ]);
    expect(messages({ profile: 'CONSTANT_RATE', durationMs: 1000, maxInFlight: 0 })).toEqual([
      'rate is required',
      'maxInFlight must be >= 1',
    ]);
  });

  it('is one flat segment', () => {
    const profile = constantRateSchema.parse({ profile: 'CONSTANT_RATE', rate: 50, durationMs: 60000 });
    expect(constantRateSchedule(profile)).toEqual({ segments: [{ startMs: 0, durationMs: 60000, fromRate: 50, toRate: 50 }] });
  });
});
