import { immediatelyLines, immediatelySchema } from './immediately.js';

describe('IMMEDIATELY', () => {
  it('parses the bare profile', () => {
    expect(immediatelySchema.parse({ profile: 'IMMEDIATELY' })).toEqual({ profile: 'IMMEDIATELY' });
  });

  it('starts every minion at 0', () => {
    expect(immediatelyLines(200)).toEqual([{ atMs: 0, count: 200 }]);
  });

  it('writes no line when there is no minion', () => {
    expect(immediatelyLines(0)).toEqual([]);
  });
});
