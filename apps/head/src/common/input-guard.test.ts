import fc from 'fast-check';
import { MAX_DEPTH, checkPath, findUnstorable } from './input-guard';

describe('input guard', () => {
  it('finds a NUL byte anywhere, naming its path', () => {
    expect(findUnstorable({ a: [1, { b: 'x\u0000y' }] })).toEqual({ path: 'a.1.b', message: expect.stringMatching(/NUL/) });
    expect(findUnstorable({ ['k\u0000']: 1 })).toEqual({ path: 'k\u0000', message: expect.stringMatching(/key/) });
    expect(findUnstorable('\u0000')).toEqual({ path: '', message: expect.any(String) });
    expect(findUnstorable({ name: 'fine', n: 1, list: [true, null, 'ok', 'emoji 😀'] })).toBeNull();
    expect(findUnstorable({ d: 'x\udbff' })).toEqual({ path: 'd', message: expect.stringMatching(/lone surrogate/) });
    expect(findUnstorable({ ['\ud800']: 'v' })?.message).toMatch(/^a key .*surrogate/);
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
        const text = JSON.stringify(v);
        // JSON.stringify escapes NUL and lone surrogates (and only those among these).
        const unstorable = text.includes('\\u0000') || /\\ud[89a-f][0-9a-f]{2}/i.test(text);
        expect(findUnstorable(v) === null).toBe(!unstorable);
      }),
    );
  });

  it('checks the decoded path', () => {
    expect(checkPath('/scenarios/%00')?.message).toMatch(/NUL/);
    expect(checkPath('/scenarios/%E0%A4%A')?.message).toMatch(/percent-encoding/);
    expect(checkPath('/scenarios/caf%C3%A9')).toBeNull();
  });
});
