import { apportionSequence, type Apportionment } from './apportion.js';
import { pushLine, type StartingLine } from './starting-line.js';

/**
 * One chunk's share of a plan, enough for a factory to work out its own minions or
 * arrivals from the plan alone (k6's execution segments). Level 0 splits the plan's units
 * over zones (weights = zone percentages), level 1 splits a zone's units over its chunks
 * (weights = factory capacities). A unit belongs to the chunk when, at every level, the
 * unit's rank among the previous level's units is owned by `index`.
 */
export interface ChunkShare {
  levels: ShareLevel[];
}

export interface ShareLevel {
  weights: number[];
  index: number;
}

/** A share with its apportionments resolved, plus the cursor of the factory's hot path. */
interface CompiledShare {
  readonly apportionments: Apportionment[];
  readonly indexes: number[];
  lastUnit: number;
  lastRank: number;
}

const compiledShares = new WeakMap<ChunkShare, CompiledShare>();

function compile(share: ChunkShare): CompiledShare {
  const cached = compiledShares.get(share);
  if (cached) return cached;
  if (share.levels.length === 0) throw new RangeError('a chunk share needs at least one level');
  const compiled: CompiledShare = {
    apportionments: share.levels.map((level) => apportionSequence(level.weights)),
    indexes: share.levels.map((level, depth) => checkedIndex(level, depth)),
    lastUnit: -1,
    lastRank: -1,
  };
  compiledShares.set(share, compiled);
  return compiled;
}

function checkedIndex(level: ShareLevel, depth: number): number {
  if (!Number.isInteger(level.index) || level.index < 0 || level.index >= level.weights.length) {
    throw new RangeError(`share level ${depth}: index ${level.index} is outside its ${level.weights.length} weights`);
  }
  return level.index;
}

function assertUnit(unit: number): void {
  if (!(Number.isSafeInteger(unit) && unit >= 0)) throw new RangeError(`unit must be an integer >= 0 (got ${unit})`);
}

/** Whether the chunk owns global unit k (minion k in start order, or arrival k). */
export function ownsUnit(share: ChunkShare, unit: number): boolean {
  assertUnit(unit);
  const { apportionments, indexes } = compile(share);
  let rank = unit;
  for (let depth = 0; depth < apportionments.length; depth++) {
    if (apportionments[depth].owner(rank) !== indexes[depth]) return false;
    rank = apportionments[depth].rankOf(rank);
  }
  return true;
}

/** How many units the chunk owns in [from, to). */
export function unitsOwned(share: ChunkShare, from: number, to: number): number {
  if (to <= from) return 0;
  const compiled = compile(share);
  return ownedBefore(compiled, to) - ownedBefore(compiled, from);
}

/** The number of units < unit the chunk owns: each level maps a unit count to a rank count. */
function ownedBefore(compiled: CompiledShare, unit: number): number {
  let count = unit;
  for (let depth = 0; depth < compiled.apportionments.length; depth++) {
    count = compiled.apportionments[depth].countBefore(compiled.indexes[depth], count);
  }
  return count;
}

/** The chunk's unit of the given rank (its j-th unit, 0-based): O(levels). Infinity if none. */
export function ownedUnitAt(share: ChunkShare, rank: number): number {
  return unitOfRank(compile(share), rank);
}

function unitOfRank(compiled: CompiledShare, rank: number): number {
  let unit = rank;
  for (let depth = compiled.apportionments.length - 1; depth >= 0; depth--) {
    unit = compiled.apportionments[depth].unitAt(compiled.indexes[depth], unit);
  }
  return unit;
}

/**
 * The smallest unit >= k the chunk owns (Infinity if it owns none). The factory walks its
 * arrivals with `k = nextOwnedUnit(share, k + 1)`: that pattern hits a cursor and costs
 * O(levels); any other k (joining late) costs O(levels · log weights).
 */
export function nextOwnedUnit(share: ChunkShare, unit: number): number {
  assertUnit(unit);
  const compiled = compile(share);
  if (unit === compiled.lastUnit) return unit;
  const rank = unit === compiled.lastUnit + 1 ? compiled.lastRank + 1 : ownedBefore(compiled, unit);
  const next = unitOfRank(compiled, rank);
  if (Number.isFinite(next)) {
    compiled.lastUnit = next;
    compiled.lastRank = rank;
  }
  return next;
}

/** The fraction of every plan the chunk owns in the long run (the product of its levels' shares). */
export function shareFraction(share: ChunkShare): number {
  const { apportionments, indexes } = compile(share);
  return apportionments.reduce((fraction, a, depth) => (fraction * a.weights[indexes[depth]]) / a.period, 1);
}

/**
 * The chunk's starting lines: same instants, counts = the minions it owns in each line's
 * range of global minion numbers (minions are numbered in start order across the lines).
 * Summed over all chunks, every line's count is exact.
 */
export function chunkLines(lines: readonly StartingLine[], share: ChunkShare): StartingLine[] {
  const compiled = compile(share);
  const result: StartingLine[] = [];
  let first = 0;
  let ownedSoFar = 0;
  for (const line of lines) {
    const ownedAfter = ownedBefore(compiled, first + line.count);
    pushLine(result, line.atMs, ownedAfter - ownedSoFar);
    ownedSoFar = ownedAfter;
    first += line.count;
  }
  return result;
}

/**
 * One worker thread's part of a chunk (`barrage factory --threads`): one more level that
 * splits the chunk's units evenly over `threads`. Summed over the threads, every count is the
 * chunk's, exactly, as for zones and factories.
 */
export function threadShare(share: ChunkShare, threads: number, index: number): ChunkShare {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be an integer >= 1 (got ${threads})`);
  return { levels: [...share.levels, { weights: new Array<number>(threads).fill(1), index }] };
}

/** The units each index owns among [0, total): an exact integer split of `total`. */
export function splitCounts(total: number, weights: readonly number[]): number[] {
  assertUnit(total);
  const apportionment = apportionSequence(weights);
  return weights.map((_, index) => apportionment.countBefore(index, total));
}

/**
 * The shares of every chunk of a plan: zones by `zoneWeights` (percentages), and each
 * zone's chunks by `chunkWeights[zone]` (capacities). Returned zone by zone, chunk by chunk.
 */
export function chunkShares(zoneWeights: readonly number[], chunkWeights: readonly (readonly number[])[]): ChunkShare[] {
  if (chunkWeights.length !== zoneWeights.length) {
    throw new RangeError(`${zoneWeights.length} zone weights but chunk weights for ${chunkWeights.length} zones`);
  }
  return zoneWeights.flatMap((zoneWeight, zone) => {
    const chunks = chunkWeights[zone];
    if (zoneWeight > 0 && chunks.length === 0) throw new RangeError(`zone ${zone} has load but no chunk`);
    return chunks.map((_, chunk) => ({
      levels: [
        { weights: [...zoneWeights], index: zone },
        { weights: [...chunks], index: chunk },
      ],
    }));
  });
}
