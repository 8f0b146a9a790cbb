/**
 * Largest-remainder (Hamilton) rounding: splits `total` in proportion to `weights` into
 * integers that sum to exactly `total`. Leftover units go to the largest fractional parts,
 * ties to the lowest index. Weights are normalised by their own sum, so percentages that
 * sum to 100 ± 0.001 still split the exact total.
 */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((acc, weight) => acc + weight, 0);
  if (!(sum > 0)) throw new RangeError('largestRemainder needs a positive sum of weights');
  const ideals = weights.map((weight) => (total * weight) / sum);
  // The epsilon keeps 0.3 × 100 / 100 = 29.999999999999996 from losing its unit.
  const counts = ideals.map((ideal) => Math.floor(ideal + 1e-9));
  let left = total - counts.reduce((acc, n) => acc + n, 0);
  const byRemainder = ideals
    .map((ideal, index) => ({ index, remainder: ideal - counts[index] }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let i = 0; left > 0; i = (i + 1) % byRemainder.length, left--) counts[byRemainder[i].index]++;
  return counts;
}
