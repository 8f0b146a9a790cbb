import fc from 'fast-check';
import { MAX_DEPTH, checkPath, findUnstorable } from './input-guard';

describe('input guard', () => {
  it('finds a NUL byte anywhere, naming its path', () => {
    expect(findUnstorable({ a: [1, { b: 'x\u0000y' }] })).toEqual({ path: 'a.1.b', message: expect.stringMatching(/NUL/) });
    expect(findUnstorable({ ['k\u0000']: 1 })).toEqual({ path: 'k\u0000', message: expect.stringMatching(/key/) });
    expect(findUnstorable('\u0000')).toEqual({ path: '', message: expect.any(String) });
    expect(findUnstorable({ name: 'fine', n: 1, list: [true, null, 'ok'] })).toBeNull();
  });

  it('refuses nesting deeper than the API ever needs', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_DEPTH + 5; i++) deep = [deep];
    expect(findUnstorable(deep)?.message).toMatch(/nested deeper/);
    let ok: unknown = 'leaf';
    for (let i = 0; i < MAX_DEPTH - 1; i++) ok = { x: ok };
    expect(findUnstorable(ok)).toBeNull();
  });

  it('accepts every JSON value without NUL within the depth, and never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
        const hasNul = JSON.stringify(v).includes('\\u0000');
        expect(findUnstorable(v) === null).toBe(!hasNul);
      }),
    );
  });

  it('checks the decoded path', () => {
    expect(checkPath('/scenarios/%00')?.message).toMatch(/NUL/);
    expect(checkPath('/scenarios/%E0%A4%A')?.message).toMatch(/percent-encoding/);
    expect(checkPath('/scenarios/caf%C3%A9')).toBeNull();
  });
});
