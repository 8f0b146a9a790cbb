/**
 * Head-side merging of step interval data (docs/metrics.md#exact-merges): counts and count maps are summed,
 * histograms merged exactly, and the derived numbers of a row computed from the result.
 */
import { mergeCounts } from './counts.js';
import { decodeHistogram, emptyHistogramEncoded, mergeEncoded } from './histogram.js';
import { emptyTimings, type FailureSampleData, type StepIntervalData, type StreamIntervalData, type TimingSums } from './recorder.js';
import { summarize, type LatencySummary } from './summary.js';

/** The derived numbers of one interval row (docs/metrics.md#intervals); latencies in milliseconds. */
export interface IntervalNumbers extends Omit<LatencySummary, 'count'> {
  /** Requests in the interval (every attempt, failures included). */
  count: number;
  failures: number;
  /** count / interval length in seconds. */
  rps: number;
  bytesIn: number;
  bytesOut: number;
  statusCodes: Record<string, number>;
  failureKinds: Record<string, number>;
}

/** An interval with nothing recorded. */
export function emptyStepInterval(step: string): StepIntervalData {
  return {
    step,
    requests: 0,
    successes: 0,
    failures: 0,
    failureKinds: {},
    statusCodes: {},
    failedChecks: {},
    bytesIn: 0,
    bytesOut: 0,
    checks: 0,
    timings: emptyTimings(),
    samples: [],
    latency: emptyHistogramEncoded(),
    serviceTime: emptyHistogramEncoded(),
  };
}

/** Samples kept when interval data is merged: examples, not a log. */
export const MAX_MERGED_SAMPLES = 50;

/** Adds `b` into `a`, field by field. */
export function addTimings(a: TimingSums, b: Readonly<TimingSums>): void {
  a.connectUs += b.connectUs;
  a.tlsUs += b.tlsUs;
  a.connections += b.connections;
  a.firstByteUs += b.firstByteUs;
  a.downloadUs += b.downloadUs;
  a.responses += b.responses;
}

/**
 * Merge interval data (several factories, chunks, zones or steps) into one, labelled `step`.
 * Counts and maps are summed; histograms are merged exactly. An empty list gives an empty
 * interval. The inputs are not modified.
 */
export function mergeStepIntervals(list: readonly StepIntervalData[], step: string): StepIntervalData {
  if (list.length === 0) return emptyStepInterval(step);
  let requests = 0;
  let successes = 0;
  let failures = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  let checks = 0;
  const timings = emptyTimings();
  const samples: FailureSampleData[] = [];
  for (const d of list) {
    requests += d.requests;
    successes += d.successes;
    failures += d.failures;
    bytesIn += d.bytesIn;
    bytesOut += d.bytesOut;
    checks += d.checks ?? 0;
    if (d.timings) addTimings(timings, d.timings);
    if (d.samples) for (const s of d.samples) if (samples.length < MAX_MERGED_SAMPLES) samples.push(s);
  }
  return {
    step,
    requests,
    successes,
    failures,
    failureKinds: mergeCounts(list.map((d) => d.failureKinds)),
    statusCodes: mergeCounts(list.map((d) => d.statusCodes)),
    failedChecks: mergeCounts(list.map((d) => d.failedChecks)),
    bytesIn,
    bytesOut,
    checks,
    timings,
    samples,
    latency: mergeEncoded(list.map((d) => d.latency)),
    serviceTime: mergeEncoded(list.map((d) => d.serviceTime)),
    ...mergeStreams(list),
  };
}

/** Streamed steps' data merged, when any of `list` has some. */
function mergeStreams(list: readonly StepIntervalData[]): { stream?: StreamIntervalData } {
  const streams = list.flatMap((d) => (d.stream ? [d.stream] : []));
  if (streams.length === 0) return {};
  return {
    stream: {
      responses: streams.reduce((n, s) => n + s.responses, 0),
      events: streams.reduce((n, s) => n + s.events, 0),
      firstEvent: mergeEncoded(streams.map((s) => s.firstEvent)),
      tokens: mergeCounts(streams.map((s) => s.tokens)),
    },
  };
}

/**
 * The derived numbers of an interval row: `count` (requests), `failures`, `rps` (count per
 * second of `resolutionMs`), the latency summary in ms, bytes, status codes and failure kinds
 * (fresh copies). Throws a RangeError when `resolutionMs` is not a positive finite number.
 */
export function describeInterval(data: StepIntervalData, resolutionMs: number): IntervalNumbers {
  if (!(Number.isFinite(resolutionMs) && resolutionMs > 0)) {
    throw new RangeError(`describeInterval: resolutionMs must be a positive number, got ${resolutionMs}`);
  }
  const s = summarize(decodeHistogram(data.latency));
  return {
    count: data.requests,
    failures: data.failures,
    rps: data.requests / (resolutionMs / 1000),
    mean: s.mean,
    min: s.min,
    p50: s.p50,
    p75: s.p75,
    p90: s.p90,
    p95: s.p95,
    p99: s.p99,
    p999: s.p999,
    max: s.max,
    stdDev: s.stdDev,
    bytesIn: data.bytesIn,
    bytesOut: data.bytesOut,
    statusCodes: mergeCounts([data.statusCodes]),
    failureKinds: mergeCounts([data.failureKinds]),
  };
}
