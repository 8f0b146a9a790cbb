import { progressingVolumeLines, progressingVolumeSchema } from './progressing-volume.js';

const messages = (input: unknown) => progressingVolumeSchema.safeParse(input).error?.issues.map((issue) => issue.message) ?? [];

const reference = {
  profile: 'PROGRESSING_VOLUME',
  periodMs: 1000,
  minionsCountProLaunchAtStart: 10,
  multiplier: 1.5,
  maxMinionsCountProLaunch: 200,
};

describe('PROGRESSING_VOLUME', () => {
  it('parses the reference payload', () => {
    expect(progressingVolumeSchema.parse(reference)).toEqual(reference);
  });

  it('reproduces the worked example: 200 minions, 10 ×1.5, max 200', () => {
    expect(progressingVolumeLines(progressingVolumeSchema.parse(reference), 200)).toEqual([
      { atMs: 1000, count: 10 },
      { atMs: 2000, count: 15 },
      { atMs: 3000, count: 22 },
      { atMs: 4000, count: 33 },
      { atMs: 5000, count: 49 },
      { atMs: 6000, count: 71 },
    ]);
  });

  it('caps each launch at maxMinionsCountProLaunch', () => {
    const profile = progressingVolumeSchema.parse({ ...reference, multiplier: 2, maxMinionsCountProLaunch: 25 });
    expect(progressingVolumeLines(profile, 100).map((line) => line.count)).toEqual([10, 20, 25, 25, 20]);
  });

  it('refuses a shrinking multiplier and a cap below the first launch', () => {
    expect(messages({ ...reference, multiplier: 0.5 })).toEqual(['multiplier must be >= 1']);
    expect(messages({ ...reference, maxMinionsCountProLaunch: 5 })).toEqual([
      'maxMinionsCountProLaunch (5) must be >= minionsCountProLaunchAtStart (10)',
    ]);
  });
});
