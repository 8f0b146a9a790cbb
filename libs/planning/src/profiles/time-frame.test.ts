import { timeFrameLines, timeFrameSchema } from './time-frame.js';

const messages = (input: unknown) => timeFrameSchema.safeParse(input).error?.issues.map((issue) => issue.message) ?? [];

describe('TIME_FRAME', () => {
  it('accepts TIMEFRAME and periodMs and outputs the canonical names', () => {
    expect(timeFrameSchema.parse({ profile: 'TIMEFRAME', periodMs: 100, timeFrameInMs: 400 })).toEqual({
      profile: 'TIME_FRAME',
      periodInMs: 100,
      timeFrameInMs: 400,
    });
  });

  it('names each bad field', () => {
    expect(messages({ profile: 'TIME_FRAME', periodInMs: 0, timeFrameInMs: -1 })).toEqual([
      'periodInMs must be > 0',
      'timeFrameInMs must be > 0',
    ]);
  });

  it('starts n = floor(frame / period) lines of ceil(count / n), the last taking what is left', () => {
    const profile = timeFrameSchema.parse({ profile: 'TIME_FRAME', periodInMs: 100, timeFrameInMs: 400 });
    expect(timeFrameLines(profile, 10)).toEqual([
      { atMs: 100, count: 3 },
      { atMs: 200, count: 3 },
      { atMs: 300, count: 3 },
      { atMs: 400, count: 1 },
    ]);
  });

  it('writes fewer lines when rounding up uses the minions early', () => {
    const profile = timeFrameSchema.parse({ profile: 'TIME_FRAME', periodInMs: 100, timeFrameInMs: 600 });
    expect(timeFrameLines(profile, 10).map((line) => line.count)).toEqual([2, 2, 2, 2, 2]);
  });

  it('starts everything after one period when the frame is shorter than the period', () => {
    const profile = timeFrameSchema.parse({ profile: 'TIME_FRAME', periodInMs: 1000, timeFrameInMs: 400 });
    expect(timeFrameLines(profile, 10)).toEqual([{ atMs: 1000, count: 10 }]);
  });
});
