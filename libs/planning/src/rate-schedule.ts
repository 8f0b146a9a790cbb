/**
 * An open-model plan: the arrival rate over time, piecewise linear. Plain data, so it
 * travels in chunk jobs as JSON; treat it as immutable once built (the arrival functions
 * cache a compiled form per schedule object).
 */
export interface RateSegment {
  /** Milliseconds from the campaign's start instant. */
  startMs: number;
  durationMs: number;
  /** Iterations per second at `startMs`. */
  fromRate: number;
  /** Iterations per second at `startMs + durationMs`; linear in between. */
  toRate: number;
}

export interface RateSchedule {
  segments: RateSegment[];
}

/** Lays segments end to end from 0. */
export function scheduleOf(segments: readonly Omit<RateSegment, 'startMs'>[]): RateSchedule {
  let startMs = 0;
  return {
    segments: segments.map((segment) => {
      const laid = { startMs, ...segment };
      startMs += segment.durationMs;
      return laid;
    }),
  };
}
