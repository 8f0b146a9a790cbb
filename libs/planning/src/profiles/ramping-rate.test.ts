import { rampingRateSchedule, rampingRateSchema } from './ramping-rate.js';

const messages = (input: unknown) =>
  rampingRateSchema.safeParse(input).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

describe('RAMPING_RATE', () => {
  const payload = {
    profile: 'RAMPING_RATE',
    startRate: 0,
    stages: [
      { targetRate: 100, durationMs: 10000 },
      { targetRate: 100, durationMs: 30000 },
      { targetRate: 0, durationMs: 5000 },
    ],
  };

  it('parses with maxInFlight defaulting to 1000', () => {
    expect(rampingRateSchema.parse(payload)).toEqual({ ...payload, maxInFlight: 1000 });
  });

  it('lays one linear segment per stage, from the previous target', () => {
    expect(rampingRateSchedule(rampingRateSchema.parse(payload))).toEqual({
      segments: [
        { startMs: 0, durationMs: 10000, fromRate: 0, toRate: 100 },
        { startMs: 10000, durationMs: 30000, fromRate: 100, toRate: 100 },
        { startMs: 40000, durationMs: 5000, fromRate: 100, toRate: 0 },
      ],
    });
  });

  it('names each bad field', () => {
    expect(messages({ profile: 'RAMPING_RATE', startRate: -1, stages: [{ targetRate: -2, durationMs: 0 }] })).toEqual([
      'startRate: startRate must be >= 0',
      'stages.0.targetRate: targetRate must be >= 0',
      'stages.0.durationMs: durationMs must be > 0',
    ]);
    expect(messages({ profile: 'RAMPING_RATE', startRate: 1, stages: [] })).toEqual(['stages: stages must hold at least one stage']);
  });

  it('refuses a schedule without any arrival', () => {
    expect(messages({ profile: 'RAMPING_RATE', startRate: 0, stages: [{ targetRate: 0, durationMs: 1000 }] })).toEqual([
      'stages: startRate or a targetRate must be > 0',
    ]);
  });
});
