/**
 * The numbers of a set of interval rows of one resource (a scenario, a step, a zone or the
 * whole campaign), merged exactly: histograms are merged, never their percentiles averaged.
 * One definition serves the report, the thresholds and the live stream, so they agree.
 */
import { createMergeHistogram, decodeHistogram, emptyTimings, mergeCounts, mergeEncoded, mergeInto, summarize, summarizeEncoded, type LatencySummary, type StreamIntervalData, type TimingSums } from '@barrage/metrics';
import type { ObservedNumbers } from '@barrage/metrics';

/** The columns of an interval row these numbers need. */
export interface IntervalRowLike {
  count: number;
  failures: number;
  rps: number;
  histogram: string;
  serviceHistogram: string | null;
  statusCodes: unknown;
  failureKinds: unknown;
  failedChecks: unknown;
  checks: number;
  timings: unknown;
  bytesIn: bigint;
  bytesOut: bigint;
  /** Streamed steps' StreamIntervalData, merged per row; null for others. */
  stream?: unknown;
}

export function sumTimings(rows: readonly IntervalRowLike[]): TimingSums {
  const t = emptyTimings();
  for (const r of rows) {
    const x = (r.timings ?? {}) as Partial<TimingSums>;
    t.connectUs += x.connectUs ?? 0;
    t.tlsUs += x.tlsUs ?? 0;
    t.connections += x.connections ?? 0;
    t.firstByteUs += x.firstByteUs ?? 0;
    t.downloadUs += x.downloadUs ?? 0;
    t.responses += x.responses ?? 0;
  }
  return t;
}

/** Average ms per request of each part of a request's time (0 where nothing was measured). */
export function timingBreakdown(t: TimingSums) {
  const avg = (us: number, n: number) => (n > 0 ? us / n / 1000 : 0);
  return {
    connectMs: avg(t.connectUs, t.connections),
    tlsMs: avg(t.tlsUs, t.connections),
    firstByteMs: avg(t.firstByteUs, t.responses),
    downloadMs: avg(t.downloadUs, t.responses),
    connections: t.connections,
  };
}

const sum = (rows: readonly IntervalRowLike[], f: (r: IntervalRowLike) => number) => rows.reduce((n, r) => n + f(r), 0);

/** Requests, failures, rates, latency and service time, codes, errors and bytes of a set of rows. */
export function resourceNumbers(rows: readonly IntervalRowLike[], durationSeconds: number) {
  const requests = sum(rows, (r) => r.count);
  const failures = sum(rows, (r) => r.failures);
  const checks = sum(rows, (r) => r.checks);
  const byCheck = mergeCounts(rows.map((r) => r.failedChecks as Record<string, number>));
  const failedChecks = Object.values(byCheck).reduce((a, b) => a + b, 0);
  return {
    requests,
    failures,
    errorRate: requests ? failures / requests : 0,
    avgRps: durationSeconds > 0 ? requests / durationSeconds : 0,
    peakRps: rows.reduce((m, r) => Math.max(m, r.rps), 0),
    latency: summarizeEncoded(mergeEncoded(rows.map((r) => r.histogram))),
    serviceTime: summarizeEncoded(mergeEncoded(rows.map((r) => r.serviceHistogram ?? r.histogram))),
    statusCodes: mergeCounts(rows.map((r) => r.statusCodes as Record<string, number>)),
    errors: { byKind: mergeCounts(rows.map((r) => r.failureKinds as Record<string, number>)), byCheck },
    checks: { evaluated: checks, failed: failedChecks, passRate: checkPassRate(checks, failedChecks) },
    timingBreakdown: timingBreakdown(sumTimings(rows)),
    bytes: { in: sum(rows, (r) => Number(r.bytesIn)), out: sum(rows, (r) => Number(r.bytesOut)) },
    stream: streamNumbers(rows),
  };
}

/** Streamed steps' numbers over the rows that have some; null when none does. */
export function streamNumbers(rows: readonly IntervalRowLike[]) {
  const streams = rows.flatMap((r) => (r.stream ? [r.stream as StreamIntervalData] : []));
  if (streams.length === 0) return null;
  const responses = streams.reduce((n, s) => n + s.responses, 0);
  const events = streams.reduce((n, s) => n + s.events, 0);
  return {
    responses,
    events,
    eventsPerResponse: responses > 0 ? events / responses : 0,
    timeToFirstEvent: summarizeEncoded(mergeEncoded(streams.map((s) => s.firstEvent))),
    tokens: mergeCounts(streams.map((s) => s.tokens)),
  };
}

/** 1 when no check ran (nothing failed), else the share of evaluated checks that passed. */
export function checkPassRate(evaluated: number, failed: number): number {
  return evaluated > 0 ? Math.max(0, 1 - failed / evaluated) : 1;
}

/**
 * Adds interval rows into one merged histogram and running sums, so a live evaluation only
 * decodes the rows that arrived since the last one.
 */
export class RowAccumulator {
  private readonly histogram = createMergeHistogram();
  private requests = 0;
  private failures = 0;
  private checks = 0;
  private failedChecks = 0;

  add(r: IntervalRowLike): this {
    mergeInto(this.histogram, decodeHistogram(r.histogram));
    this.requests += r.count;
    this.failures += r.failures;
    this.checks += r.checks;
    for (const n of Object.values((r.failedChecks ?? {}) as Record<string, number>)) this.failedChecks += n;
    return this;
  }

  addAll(rows: readonly IntervalRowLike[]): this {
    for (const r of rows) this.add(r);
    return this;
  }

  /** What a threshold compares: the merged numbers over `durationSeconds`. */
  observed(durationSeconds: number): ObservedNumbers {
    const latency: LatencySummary = summarize(this.histogram);
    return {
      p50: latency.p50,
      p75: latency.p75,
      p90: latency.p90,
      p95: latency.p95,
      p99: latency.p99,
      p999: latency.p999,
      mean: latency.mean,
      min: latency.min,
      max: latency.max,
      errorRate: this.requests ? this.failures / this.requests : 0,
      rps: durationSeconds > 0 ? this.requests / durationSeconds : 0,
      checks: checkPassRate(this.checks, this.failedChecks),
      count: this.requests,
    };
  }
}
