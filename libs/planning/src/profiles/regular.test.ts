import { regularLines, regularSchema } from './regular.js';

const messages = (input: unknown) => regularSchema.safeParse(input).error?.issues.map((issue) => issue.message) ?? [];

describe('REGULAR', () => {
  it('accepts periodMs as an alias of periodInMs and outputs the canonical name only', () => {
    expect(regularSchema.parse({ profile: 'REGULAR', periodMs: 100, minionsCountProLaunch: 3 })).toEqual({
      profile: 'REGULAR',
      periodInMs: 100,
      minionsCountProLaunch: 3,
    });
  });

  it('accepts both names when they agree', () => {
    expect(regularSchema.parse({ profile: 'REGULAR', periodInMs: 100, periodMs: 100, minionsCountProLaunch: 3 }).periodInMs).toBe(100);
  });

  it('refuses a missing period, and aliases that disagree', () => {
    expect(messages({ profile: 'REGULAR', minionsCountProLaunch: 3 })).toEqual(['periodInMs is required']);
    expect(messages({ profile: 'REGULAR', periodInMs: 100, periodMs: 200, minionsCountProLaunch: 3 })).toEqual([
      'periodInMs (100) and its alias periodMs (200) differ',
    ]);
  });

  it('reports every bad field at once, each named', () => {
    expect(messages({ profile: 'REGULAR', periodInMs: 0, minionsCountProLaunch: 1.5 })).toEqual([
      'periodInMs must be > 0',
      'minionsCountProLaunch must be an integer',
    ]);
    expect(messages({ profile: 'REGULAR', periodInMs: 'soon' })).toEqual([
      'periodInMs must be a number',
      'minionsCountProLaunch is required',
    ]);
  });

  it('starts minionsCountProLaunch every period from one period, the last line taking what is left', () => {
    const profile = regularSchema.parse({ profile: 'REGULAR', periodInMs: 100, minionsCountProLaunch: 3 });
    expect(regularLines(profile, 10)).toEqual([
      { atMs: 100, count: 3 },
      { atMs: 200, count: 3 },
      { atMs: 300, count: 3 },
      { atMs: 400, count: 1 },
    ]);
    expect(regularLines(profile, 0)).toEqual([]);
  });
});
