/**
 * Exact, reproducible splitting of a numbered sequence of units (minions in start order, or
 * arrivals) over weighted owners (zones by percentage, chunks by capacity).
 *
 * The weights are scaled to integers whose sum W is the period. One period is assigned by
 * Balinski and Young's quota method: unit n goes, among the owners still below their upper
 * quota ((n + 1)·w/W), to the one with the largest w / (owned + 1), ties to the lowest index.
 * That method is house-monotone (each prefix extends the previous one) and keeps every prefix
 * within quota: for every n and i, |owned_i(n) − n·w_i/W| < 1. (Nginx's smooth weighted
 * round-robin looks similar but overshoots quota by up to ~1.3 units on some weights.) After
 * a full period each owner holds exactly w_i units, so the table repeats and any unit k,
 * up to 1e12 and beyond, is answered in O(1) or O(log w).
 *
 * The lowest-index tie-break does not favour owner 0 across a plan: lines and rates take
 * consecutive ranges of the one sequence, so the rounding rotates through the owners.
 */

import { largestRemainder } from './largest-remainder.js';

/** How finely weights are resolved: 1/1000 of a unit (0.001 percentage points). */
export const WEIGHT_RESOLUTION = 1000;

/**
 * The largest period kept in memory. Weights whose scaled sum exceeds it are re-scaled to
 * sum to about this much, which bounds each owner's share error to 1/MAX_PERIOD of the
 * whole (0.001 %); percentages with up to three decimals and ordinary capacities are exact.
 */
export const MAX_PERIOD = 100_000;

export interface Apportionment {
  /** The integer weights actually used, after scaling and division by their gcd. */
  readonly weights: readonly number[];
  /** W: the sum of `weights`, the length of the repeating owner table. */
  readonly period: number;
  /** Which index owns unit k. */
  owner(unit: number): number;
  /** How many units its owner holds before unit k (the unit's rank among its owner's). */
  rankOf(unit: number): number;
  /** How many units index i owns in [0, unit). */
  countBefore(index: number, unit: number): number;
  /** How many units index i owns in [from, to). */
  countOwned(index: number, from: number, to: number): number;
  /** The unit index i owns with the given rank (0-based); Infinity if i owns nothing. */
  unitAt(index: number, rank: number): number;
}

/** Integer weights with the same proportions, within the resolution and the period cap. */
export function scaleWeights(weights: readonly number[]): number[] {
  assertWeights(weights);
  const total = sum(weights);
  const rounded = reduceByGcd(weights.map((w) => (w > 0 ? Math.max(1, Math.round(w * WEIGHT_RESOLUTION)) : 0)));
  const roundedSum = sum(rounded);
  // Plain rounding keeps equal weights equal; it is used when it stays within the bound.
  const faithful = rounded.every((v, i) => Math.abs(v / roundedSum - weights[i]! / total) <= 1 / MAX_PERIOD);
  if (roundedSum <= MAX_PERIOD && faithful) return rounded;
  // Rounded by largest remainder to a fixed period, so the scaled weights keep their sum and
  // every share is off by less than one unit of the period (≤ 1e-5 of the load).
  const period = Math.min(MAX_PERIOD, Math.max(weights.length, Math.round(sum(weights) * WEIGHT_RESOLUTION)));
  const scaled = largestRemainder(period, weights);
  // A positive weight never rounds to 0: an owner the caller weighted keeps some share.
  return reduceByGcd(scaled.map((v, i) => (weights[i]! > 0 ? Math.max(1, v) : 0)));
}


function assertWeights(weights: readonly number[]): void {
  if (weights.length === 0) throw new RangeError('weights must not be empty');
  for (const w of weights) {
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`weights must be finite and >= 0 (got ${w})`);
  }
  if (!weights.some((w) => w > 0)) throw new RangeError('at least one weight must be > 0');
  if (weights.length > MAX_PERIOD) throw new RangeError(`at most ${MAX_PERIOD} weights`);
}

function reduceByGcd(values: number[]): number[] {
  const divisor = values.reduce((g, v) => gcd(g, v), 0);
  return values.map((v) => v / divisor);
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function sum(values: readonly number[]): number {
  return values.reduce((acc, v) => acc + v, 0);
}

/**
 * The apportionment of units over `weights` (positive numbers: percentages such as 45.5, or
 * capacities; 0 owns nothing). Cached by weights, since every chunk of a zone shares them.
 */
export function apportionSequence(weights: readonly number[]): Apportionment {
  const key = weights.join(',');
  const cached = cache.get(key);
  if (cached) return cached;
  const result = new PeriodicApportionment(scaleWeights(weights));
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}

const CACHE_SIZE = 256;
const cache = new Map<string, Apportionment>();

class PeriodicApportionment implements Apportionment {
  readonly period: number;
  private readonly owners: Uint32Array;
  private readonly ranks: Uint32Array;
  /** For each index, the positions in the period of the units it owns, ascending. */
  private readonly positions: Uint32Array[];

  constructor(readonly weights: readonly number[]) {
    this.period = sum(weights);
    this.owners = new Uint32Array(this.period);
    this.ranks = new Uint32Array(this.period);
    this.positions = weights.map((w) => new Uint32Array(w));
    this.assignPeriod();
  }

  private assignPeriod(): void {
    const { weights, period } = this;
    const owned = new Array<number>(weights.length).fill(0);
    for (let n = 0; n < period; n++) {
      const i = this.nextOwner(owned, n);
      this.owners[n] = i;
      this.ranks[n] = owned[i];
      this.positions[i][owned[i]] = n;
      owned[i]++;
    }
    // The quota method guarantees this; a violation would silently break exactness.
    weights.forEach((w, i) => {
      if (owned[i] !== w) throw new Error(`apportionment period broke quota for index ${i}`);
    });
  }

  /** Quota method: below upper quota, largest w / (owned + 1), lowest index on ties. */
  private nextOwner(owned: number[], n: number): number {
    const { weights, period } = this;
    let best = -1;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      if (w === 0 || owned[i] * period >= (n + 1) * w) continue;
      if (best < 0 || w * (owned[best] + 1) > weights[best] * (owned[i] + 1)) best = i;
    }
    return best;
  }

  owner(unit: number): number {
    return this.owners[unit % this.period];
  }

  rankOf(unit: number): number {
    const position = unit % this.period;
    return Math.floor(unit / this.period) * this.weights[this.owners[position]] + this.ranks[position];
  }

  countBefore(index: number, unit: number): number {
    const w = this.weights[index];
    if (w === 0 || unit <= 0) return 0;
    const cycles = Math.floor(unit / this.period);
    return cycles * w + lowerBound(this.positions[index], unit - cycles * this.period);
  }

  countOwned(index: number, from: number, to: number): number {
    return to <= from ? 0 : this.countBefore(index, to) - this.countBefore(index, from);
  }

  unitAt(index: number, rank: number): number {
    const w = this.weights[index];
    if (w === 0 || !Number.isFinite(rank)) return Number.POSITIVE_INFINITY;
    const cycles = Math.floor(rank / w);
    return cycles * this.period + this.positions[index][rank - cycles * w];
  }
}

/** The number of values < target in an ascending array. */
function lowerBound(values: Uint32Array, target: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid] < target) low = mid + 1;
    else high = mid;
  }
  return low;
}
