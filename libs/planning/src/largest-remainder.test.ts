import fc from 'fast-check';
import { largestRemainder } from './largest-remainder.js';

describe('largestRemainder', () => {
  it('gives the leftover units to the largest fractional parts, ties to the lowest index', () => {
    expect(largestRemainder(200, [40, 60])).toEqual([80, 120]);
    expect(largestRemainder(10, [33.333, 33.333, 33.334])).toEqual([3, 3, 4]);
    expect(largestRemainder(2, [1, 1, 1])).toEqual([1, 1, 0]);
    expect(largestRemainder(7, [10, 20, 70])).toEqual([1, 1, 5]);
  });

  it('does not lose a unit to float error', () => {
    expect(largestRemainder(100, [30, 70])).toEqual([30, 70]);
    expect(largestRemainder(10, [0.1, 0.2, 0.7].map((p) => p * 100))).toEqual([1, 2, 7]);
  });

  it('always sums to the total, each count within 1 of its ideal', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.array(fc.double({ min: 0.001, max: 100, noNaN: true }), { minLength: 1, maxLength: 20 }), (total, weights) => {
        const counts = largestRemainder(total, weights);
        const sum = weights.reduce((a, b) => a + b, 0);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
        counts.forEach((count, i) => {
          expect(Number.isInteger(count) && count >= 0).toBe(true);
          expect(Math.abs(count - (total * weights[i]) / sum)).toBeLessThan(1 + 1e-6);
        });
      }),
    );
  });

  it('refuses weights that sum to 0', () => {
    expect(() => largestRemainder(1, [0, 0])).toThrow(RangeError);
  });
});
