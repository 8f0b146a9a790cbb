/**
 * @barrage/planning: pure planning code shared by the head and the factories. From an
 * execution profile to starting lines (closed model) or a rate schedule (open model), and
 * the exact split of either over zones and chunks. No I/O.
 */
export * from './profiles/index.js';
export { MAX_STARTING_LINES, PlanTooLargeError, totalMinions, type StartingLine } from './starting-line.js';
export { planLines, planEndMs, replaysUntilEnd } from './lines.js';
export type { RateSchedule, RateSegment } from './rate-schedule.js';
export { planRate, totalArrivals, arrivalAtMs, arrivalsBefore, rateAt, scheduleEndMs } from './rate.js';
export { largestRemainder } from './largest-remainder.js';
export { apportionSequence, scaleWeights, MAX_PERIOD, WEIGHT_RESOLUTION, type Apportionment } from './apportion.js';
export {
  chunkLines,
  chunkShares,
  nextOwnedUnit,
  ownedUnitAt,
  ownsUnit,
  shareFraction,
  splitCounts,
  threadShare,
  unitsOwned,
  type ChunkShare,
  type ShareLevel,
} from './share.js';
