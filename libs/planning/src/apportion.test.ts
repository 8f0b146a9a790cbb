import fc from 'fast-check';
import { apportionSequence, MAX_PERIOD, scaleWeights } from './apportion.js';

describe('scaleWeights', () => {
  it('keeps the proportions in the smallest integers', () => {
    expect(scaleWeights([45, 55])).toEqual([9, 11]);
    expect(scaleWeights([45.5, 54.5])).toEqual([91, 109]);
    expect(scaleWeights([200, 500])).toEqual([2, 5]);
    expect(scaleWeights([33.333, 33.333, 33.334])).toEqual([33333, 33333, 33334]);
    expect(scaleWeights([100 / 3, 100 / 3, 100 / 3])).toEqual([1, 1, 1]);
  });

  it('keeps 0 at 0 and never rounds a positive weight away', () => {
    expect(scaleWeights([0, 3])).toEqual([0, 1]);
    expect(scaleWeights([0.0001, 100])).toEqual([1, 100000]);
  });

  it(`re-scales weights whose period would exceed ${MAX_PERIOD}`, () => {
    const weights = scaleWeights([1234567, 7654321, 1]);
    expect(weights.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_PERIOD + weights.length);
    expect(weights[2]).toBe(1);
    expect(weights[1] / weights[0]).toBeCloseTo(7654321 / 1234567, 3);
  });

  it('refuses weights it cannot split by', () => {
    expect(() => scaleWeights([])).toThrow(RangeError);
    expect(() => scaleWeights([0, 0])).toThrow(RangeError);
    expect(() => scaleWeights([-1, 2])).toThrow(RangeError);
    expect(() => scaleWeights([Number.NaN])).toThrow(RangeError);
  });
});

describe('apportionSequence', () => {
  it('interleaves equal weights in turn', () => {
    const turns = apportionSequence([1, 1, 1]);
    expect(Array.from({ length: 7 }, (_, k) => turns.owner(k))).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('splits 200 units at 45/55 into 90/110', () => {
    const zones = apportionSequence([45, 55]);
    expect([zones.countOwned(0, 0, 200), zones.countOwned(1, 0, 200)]).toEqual([90, 110]);
  });

  it('keeps every prefix within 1 of its ideal share (house monotone, within quota)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }), (raw) => {
        const a = apportionSequence(raw);
        const owned = new Array<number>(raw.length).fill(0);
        let worst = 0;
        for (let n = 1; n <= a.period * 2; n++) {
          owned[a.owner(n - 1)]++;
          for (let i = 0; i < raw.length; i++) worst = Math.max(worst, Math.abs(owned[i] - (n * a.weights[i]) / a.period));
        }
        expect(worst).toBeLessThan(1);
      }),
      { numRuns: 60 },
    );
  });

  it('answers counts, ranks and units consistently, far into the sequence', () => {
    const weightsArb = fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }).filter((w) => w.some((x) => x > 0));
    fc.assert(
      fc.property(weightsArb, fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 5000 }), (weights, from, span) => {
        const a = apportionSequence(weights);
        const to = from + span;
        let counted = 0;
        weights.forEach((_, i) => {
          let brute = 0;
          for (let k = from; k < to; k++) if (a.owner(k) === i) brute++;
          expect(a.countOwned(i, from, to)).toBe(brute);
          counted += brute;
        });
        expect(counted).toBe(span);
        const owner = a.owner(from);
        const rank = a.rankOf(from);
        expect(rank).toBe(a.countBefore(owner, from));
        expect(a.unitAt(owner, rank)).toBe(from);
      }),
      { numRuns: 200 },
    );
  });

  it('gives nothing to a weight of 0', () => {
    const a = apportionSequence([0, 2, 1]);
    expect(a.countOwned(0, 0, 1000)).toBe(0);
    expect(a.unitAt(0, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('returns the same apportionment for the same weights', () => {
    expect(apportionSequence([45, 55])).toBe(apportionSequence([45, 55]));
  });
});
