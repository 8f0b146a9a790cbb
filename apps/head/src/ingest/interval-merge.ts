import { describeInterval, emptyTimings, mergeStepIntervals, type StepIntervalData, type StreamIntervalData, type TimingSums } from '@barrage/metrics';
import type { Snapshot } from '@barrage/contracts';

/** The key of an interval row; '*' is the roll-up over that dimension. */
export interface RowKey {
  scenario: string;
  step: string;
  zone: string;
}

/** Generator-side numbers that belong to a chunk, not a step: only on step '*' rows. */
export interface Gauges {
  minionsActive: number;
  minionsStarted: number;
  targetArrivals: number;
  iterations: number;
  dropped: number;
  maxLagMs: number;
  maxLatenessMs: number;
  saturated: boolean;
}

export interface RowContribution extends RowKey {
  data: StepIntervalData;
  gauges: Gauges | null;
}

const ALL = '*';

/** A row's full key within a campaign, for grouping a batch: scenario, step, zone and bucket start (epoch ms). */
export function rowId(k: RowKey, bucketStart: number): string {
  return `${k.scenario}\u0000${k.step}\u0000${k.zone}\u0000${bucketStart}`;
}

/**
 * Several contributions to one row as one (a batch of snapshots read together): data merged
 * exactly, gauges summed (maxima kept, saturation or-ed), as `mergeRow` adds them to a stored
 * row one by one; so merging the combination equals merging each in turn (interval-merge.test.ts).
 */
export function combineContributions(cs: readonly RowContribution[]): RowContribution {
  const first = cs[0];
  if (!first) throw new RangeError('combineContributions: no contributions');
  if (cs.length === 1) return first;
  const withGauges = cs.flatMap((c) => (c.gauges ? [c.gauges] : []));
  return {
    scenario: first.scenario,
    step: first.step,
    zone: first.zone,
    data: mergeStepIntervals(cs.map((c) => c.data), first.step),
    gauges: withGauges.length ? withGauges.reduce(addGauges) : null,
  };
}

function addGauges(a: Gauges, b: Gauges): Gauges {
  return {
    minionsActive: a.minionsActive + b.minionsActive,
    minionsStarted: a.minionsStarted + b.minionsStarted,
    targetArrivals: a.targetArrivals + b.targetArrivals,
    iterations: a.iterations + b.iterations,
    dropped: a.dropped + b.dropped,
    maxLagMs: Math.max(a.maxLagMs, b.maxLagMs),
    maxLatenessMs: Math.max(a.maxLatenessMs, b.maxLatenessMs),
    saturated: a.saturated || b.saturated,
  };
}

/**
 * What a batch of snapshots adds to each row (keyed by `rowId`): the same rows and sums as
 * per-snapshot rule of docs/metrics.md#roll-ups (each snapshot's steps per zone and over all
 * zones, and the all-step roll-ups) combined per row, built bottom-up so that each step's
 * histograms are decoded once per batch rather than once per row they go to: steps per zone
 * first, then each roll-up from the rows below it (interval-merge.test.ts checks the two agree).
 */
export function batchContributions(snaps: readonly Snapshot[]): Map<string, { bucketStart: number; c: RowContribution }> {
  const out = new Map<string, { bucketStart: number; c: RowContribution }>();
  const group = <T>(into: Map<string, { key: RowKey; bucketStart: number; items: T[] }>, key: RowKey, bucketStart: number, item: T) => {
    const id = rowId(key, bucketStart);
    const g = into.get(id);
    if (g) g.items.push(item);
    else into.set(id, { key, bucketStart, items: [item] });
  };
  const put = (key: RowKey, bucketStart: number, cs: RowContribution[], gauges: Gauges | null) => {
    const c = combineContributions(cs);
    const row = { bucketStart, c: { ...c, scenario: key.scenario, step: key.step, zone: key.zone, gauges } };
    out.set(rowId(key, bucketStart), row);
    return row.c;
  };
  // Steps per zone, and each snapshot's chunk-level numbers per (scenario, zone).
  const steps = new Map<string, { key: RowKey; bucketStart: number; items: RowContribution[] }>();
  const gauges = new Map<string, { key: RowKey; bucketStart: number; items: Gauges[] }>();
  for (const s of snaps) {
    for (const st of s.steps) group(steps, { scenario: s.scenario, step: st.step, zone: s.zone }, s.bucketStart, { scenario: s.scenario, step: st.step, zone: s.zone, data: st, gauges: null });
    group(gauges, { scenario: s.scenario, step: ALL, zone: s.zone }, s.bucketStart, snapshotGauges(s));
  }
  const perStep = new Map<string, { key: RowKey; bucketStart: number; items: RowContribution[] }>();
  const perScenarioZone = new Map<string, { key: RowKey; bucketStart: number; items: RowContribution[] }>();
  // A snapshot without steps still adds its gauges to the roll-ups.
  for (const s of snaps) {
    const key = { scenario: s.scenario, step: ALL, zone: s.zone };
    if (s.steps.length === 0) group(perScenarioZone, key, s.bucketStart, { ...key, data: mergeStepIntervals([], ALL), gauges: null });
  }
  for (const { key, bucketStart, items } of steps.values()) {
    const c = put(key, bucketStart, items, null);
    group(perStep, { ...key, zone: ALL }, bucketStart, c);
    group(perScenarioZone, { ...key, step: ALL }, bucketStart, { ...c, step: ALL });
  }
  for (const { key, bucketStart, items } of perStep.values()) put(key, bucketStart, items, null);
  // The all-step roll-ups: (scenario, zone) from its steps, then over zones, scenarios, both.
  const up = new Map<string, { key: RowKey; bucketStart: number; items: RowContribution[] }>();
  for (const { key, bucketStart, items } of perScenarioZone.values()) {
    const g = gauges.get(rowId(key, bucketStart))!.items.reduce(addGauges);
    const c = put(key, bucketStart, items, g);
    for (const k of [{ ...key, zone: ALL }, { ...key, scenario: ALL }, { ...key, scenario: ALL, zone: ALL }]) group(up, k, bucketStart, c);
  }
  for (const { key, bucketStart, items } of up.values()) put(key, bucketStart, items, items.map((c) => c.gauges!).reduce(addGauges));
  return out;
}

/** A snapshot's chunk-level numbers, as its step `*` rows carry them. */
export function snapshotGauges(s: Snapshot): Gauges {
  return {
    minionsActive: s.minionsActive,
    minionsStarted: s.minionsStarted,
    targetArrivals: s.targetArrivals,
    iterations: s.iterations,
    dropped: s.droppedIterations,
    maxLagMs: s.maxLagMs,
    maxLatenessMs: s.maxLatenessMs,
    saturated: s.saturated,
  };
}

export interface StoredRow extends RowKey, Gauges {
  histogram: string;
  serviceHistogram: string | null;
  count: number;
  failures: number;
  bytesIn: bigint;
  bytesOut: bigint;
  statusCodes: unknown;
  failureKinds: unknown;
  failedChecks: unknown;
  checks: number;
  timings: unknown;
  /** Streamed steps: merged StreamIntervalData; null otherwise. */
  stream: unknown;
}

export function rowAsInterval(r: StoredRow): StepIntervalData {
  return {
    step: r.step,
    requests: r.count,
    successes: r.count - r.failures,
    failures: r.failures,
    failureKinds: r.failureKinds as Record<string, number>,
    statusCodes: r.statusCodes as Record<string, number>,
    failedChecks: r.failedChecks as Record<string, number>,
    bytesIn: Number(r.bytesIn),
    bytesOut: Number(r.bytesOut),
    checks: r.checks,
    timings: { ...emptyTimings(), ...(r.timings as Partial<TimingSums>) },
    samples: [],
    latency: r.histogram,
    serviceTime: r.serviceHistogram ?? r.histogram,
    ...(r.stream ? { stream: r.stream as StreamIntervalData } : {}),
  };
}

/** The row after adding a contribution to what is stored (exact: histograms merged, counts summed, gauges summed). */
export function mergeRow(existing: StoredRow | undefined, c: RowContribution, resolutionMs: number) {
  const data = existing ? mergeStepIntervals([rowAsInterval(existing), c.data], c.step) : c.data;
  const n = describeInterval(data, resolutionMs);
  const g = c.gauges;
  return {
    histogram: data.latency,
    serviceHistogram: data.serviceTime,
    count: n.count,
    failures: n.failures,
    rps: n.rps,
    mean: n.mean,
    min: n.min,
    p50: n.p50,
    p75: n.p75,
    p90: n.p90,
    p95: n.p95,
    p99: n.p99,
    p999: n.p999,
    max: n.max,
    stdDev: n.stdDev,
    bytesIn: BigInt(n.bytesIn),
    bytesOut: BigInt(n.bytesOut),
    statusCodes: n.statusCodes,
    failureKinds: n.failureKinds,
    failedChecks: data.failedChecks,
    checks: data.checks,
    timings: data.timings as object,
    ...(data.stream ? { stream: data.stream as object } : {}),
    minionsActive: (existing?.minionsActive ?? 0) + (g?.minionsActive ?? 0),
    minionsStarted: (existing?.minionsStarted ?? 0) + (g?.minionsStarted ?? 0),
    targetArrivals: (existing?.targetArrivals ?? 0) + (g?.targetArrivals ?? 0),
    iterations: (existing?.iterations ?? 0) + (g?.iterations ?? 0),
    dropped: (existing?.dropped ?? 0) + (g?.dropped ?? 0),
    maxLagMs: Math.max(existing?.maxLagMs ?? 0, g?.maxLagMs ?? 0),
    maxLatenessMs: Math.max(existing?.maxLatenessMs ?? 0, g?.maxLatenessMs ?? 0),
    saturated: (existing?.saturated ?? false) || (g?.saturated ?? false),
  };
}
