import type { OpenProfile } from './profiles/index.js';
import { openDescriptorOf } from './profiles/registry.js';
import type { RateSchedule, RateSegment } from './rate-schedule.js';
import { assertSpeedFactor } from './speed-factor.js';

/**
 * The rate schedule of an open-model profile. `speedFactor` compresses time the way it does
 * for starting lines: durations are divided by it and rates multiplied by it, so the same
 * number of arrivals happens sooner (Barrage's choice; a campaign at ×2 is the same load,
 * twice as fast, not half the load).
 */
export function planRate(profile: OpenProfile, speedFactor: number): RateSchedule {
  assertSpeedFactor(speedFactor);
  const schedule = openDescriptorOf(profile).rate(profile);
  if (speedFactor === 1) return schedule;
  return {
    segments: schedule.segments.map((segment) => ({
      startMs: segment.startMs / speedFactor,
      durationMs: segment.durationMs / speedFactor,
      fromRate: segment.fromRate * speedFactor,
      toRate: segment.toRate * speedFactor,
    })),
  };
}

/**
 * A schedule prepared for the hot path: typed arrays and the expected number of arrivals
 * at each segment's start, N(t) = ∫₀ᵗ rate / 1000 (rates per second, t in ms).
 */
interface CompiledSchedule {
  readonly startMs: Float64Array;
  readonly durationMs: Float64Array;
  readonly fromRate: Float64Array;
  readonly toRate: Float64Array;
  /** N at each segment's start and end. */
  readonly arrivalsAtStart: Float64Array;
  readonly arrivalsAtEnd: Float64Array;
  readonly total: number;
}

const compiled = new WeakMap<RateSchedule, CompiledSchedule>();

function compile(schedule: RateSchedule): CompiledSchedule {
  const cached = compiled.get(schedule);
  if (cached) return cached;
  const result = build(schedule);
  compiled.set(schedule, result);
  return result;
}

function build(schedule: RateSchedule): CompiledSchedule {
  const count = schedule.segments.length;
  const c = {
    startMs: new Float64Array(count),
    durationMs: new Float64Array(count),
    fromRate: new Float64Array(count),
    toRate: new Float64Array(count),
    arrivalsAtStart: new Float64Array(count),
    arrivalsAtEnd: new Float64Array(count),
    total: 0,
  };
  let arrivals = 0;
  let previousEndMs = 0;
  schedule.segments.forEach((segment, i) => {
    assertSegment(segment, i, previousEndMs);
    c.startMs[i] = segment.startMs;
    c.durationMs[i] = segment.durationMs;
    c.fromRate[i] = segment.fromRate;
    c.toRate[i] = segment.toRate;
    c.arrivalsAtStart[i] = arrivals;
    arrivals += ((segment.fromRate + segment.toRate) / 2) * (segment.durationMs / 1000);
    c.arrivalsAtEnd[i] = arrivals;
    previousEndMs = segment.startMs + segment.durationMs;
  });
  c.total = Math.max(0, Math.floor(arrivals + tolerance(arrivals)));
  return c;
}

/** Segments must be ordered, not overlap, and have rates >= 0 (a gap between them is rate 0). */
function assertSegment(segment: RateSegment, i: number, previousEndMs: number): void {
  const valid =
    Number.isFinite(segment.startMs) &&
    segment.startMs >= previousEndMs - tolerance(previousEndMs) &&
    Number.isFinite(segment.durationMs) &&
    segment.durationMs > 0 &&
    Number.isFinite(segment.fromRate) &&
    segment.fromRate >= 0 &&
    Number.isFinite(segment.toRate) &&
    segment.toRate >= 0;
  if (!valid) throw new RangeError(`rate schedule segment ${i} is invalid: ${JSON.stringify(segment)}`);
}

/**
 * Float slack for comparing expected-arrival counts to integers: 1e-9 absolute, plus a
 * relative part so that a schedule of a billion arrivals does not lose its last one to
 * rounding.
 */
function tolerance(value: number): number {
  return 1e-9 + Math.abs(value) * 1e-12;
}

/** The number of arrivals in the whole schedule: floor(∫ rate dt). */
export function totalArrivals(schedule: RateSchedule): number {
  return compile(schedule).total;
}

/**
 * The instant (ms from the start) of global arrival k = 0, 1, 2…: the first instant after
 * which more than k arrivals are expected, inf{t : N(t) > k}. That is the smallest t with
 * N(t) = k, except after a stretch at rate 0, where the arrival waits for the rate to
 * resume. Computed in closed form inside its segment (quadratic for a ramp), never from
 * the previous arrival, so timer jitter and float error do not accumulate. O(log segments),
 * no allocation. `Infinity` for k >= totalArrivals.
 */
export function arrivalAtMs(schedule: RateSchedule, k: number): number {
  const c = compile(schedule);
  if (!(k >= 0)) throw new RangeError(`arrival number must be >= 0 (got ${k})`);
  if (k >= c.total) return Number.POSITIVE_INFINITY;
  const i = firstSegmentEndingAbove(c.arrivalsAtEnd, k);
  const within = k - c.arrivalsAtStart[i];
  if (within <= 0) return c.startMs[i];
  const offsetMs = offsetForArrivals(c.fromRate[i], c.toRate[i], c.durationMs[i], within);
  return c.startMs[i] + Math.min(offsetMs, c.durationMs[i]);
}

/** The first segment whose cumulative arrivals at its end exceed k (binary search). */
function firstSegmentEndingAbove(arrivalsAtEnd: Float64Array, k: number): number {
  let low = 0;
  let high = arrivalsAtEnd.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (arrivalsAtEnd[mid] > k) high = mid;
    else low = mid + 1;
  }
  return low;
}

/**
 * The offset τ (ms) into a segment at which `arrivals` are expected, solving
 * (a·τ + (b − a)·τ² / 2D) / 1000 = m. Written as 2000·m / (a + √(a² + 2000·(b − a)·m / D)),
 * which is the stable root for rising and falling ramps alike, and a flat segment's
 * 1000·m / a when a = b.
 */
function offsetForArrivals(fromRate: number, toRate: number, durationMs: number, arrivals: number): number {
  if (fromRate === toRate) return (1000 * arrivals) / fromRate;
  const discriminant = fromRate * fromRate + (2000 * (toRate - fromRate) * arrivals) / durationMs;
  return (2000 * arrivals) / (fromRate + Math.sqrt(Math.max(0, discriminant)));
}

/** The number of arrivals expected by `tMs`: N(tMs). */
function expectedArrivals(c: CompiledSchedule, tMs: number): number {
  const i = lastSegmentStartingAtOrBefore(c.startMs, tMs);
  if (i < 0) return 0;
  const offsetMs = Math.min(tMs - c.startMs[i], c.durationMs[i]);
  const a = c.fromRate[i];
  const slope = (c.toRate[i] - a) / c.durationMs[i];
  return c.arrivalsAtStart[i] + (a * offsetMs + (slope * offsetMs * offsetMs) / 2) / 1000;
}

function lastSegmentStartingAtOrBefore(startMs: Float64Array, tMs: number): number {
  let low = 0;
  let high = startMs.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (startMs[mid] <= tMs) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

/**
 * The number of arrivals whose instant is < tMs, i.e. ceil(N(tMs)): where a factory that
 * joins a running plan late resumes, and the target count so far.
 */
export function arrivalsBefore(schedule: RateSchedule, tMs: number): number {
  const c = compile(schedule);
  const expected = expectedArrivals(c, tMs);
  if (expected <= 0) return 0;
  return Math.min(c.total, Math.ceil(expected - tolerance(expected)));
}

/** The planned rate (iterations per second) at tMs; 0 outside the schedule. */
export function rateAt(schedule: RateSchedule, tMs: number): number {
  const c = compile(schedule);
  const i = lastSegmentStartingAtOrBefore(c.startMs, tMs);
  if (i < 0 || tMs >= c.startMs[i] + c.durationMs[i]) return 0;
  const a = c.fromRate[i];
  return a + ((c.toRate[i] - a) * (tMs - c.startMs[i])) / c.durationMs[i];
}

/** Where the schedule ends, in ms from the start. */
export function scheduleEndMs(schedule: RateSchedule): number {
  const last = schedule.segments[schedule.segments.length - 1];
  return last === undefined ? 0 : last.startMs + last.durationMs;
}
