import { decodeHistogram, hasFastLayout, HIGHEST_MICROS, isFastRecording, type Histogram } from './histogram.js';

/** Latency statistics in MILLISECONDS (floats), from a microsecond histogram. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  stdDev: number;
}

const US_PER_MS = 1000;

/** The summary of an empty histogram: count 0 and zeros everywhere. */
export function emptySummary(): LatencySummary {
  return { count: 0, min: 0, mean: 0, p50: 0, p75: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, stdDev: 0 };
}

function finite(v: number): number {
  return Number.isFinite(v) ? v : 0;
}

/** A value of the histogram (µs) as ms, capped at the 60 s ceiling values are clamped to. */
function valueMs(v: number): number {
  return Math.min(finite(v), HIGHEST_MICROS) / US_PER_MS;
}

/**
 * Summarize a microsecond histogram in milliseconds. min and max are the lowest / highest
 * equivalent values of the lowest / highest non-empty buckets (what `getValueAtPercentile(0)` /
 * `(100)` give), so they depend only on the bucket counts and survive encoding and merging
 * unchanged. Percentiles are HdrHistogram's (highest equivalent value of the bucket reaching the
 * rank), capped at 60 s; mean and stdDev use each bucket's median equivalent value.
 */
export function summarize(h: Histogram): LatencySummary {
  const count = h.totalCount;
  if (!(count > 0)) return emptySummary();
  if (isFastRecording(h) || hasFastLayout(h)) return summarizeFast(h, count);
  return summarizeWithLibrary(h, count);
}

function summarizeWithLibrary(h: Histogram, count: number): LatencySummary {
  const mean = h.mean;
  return {
    count,
    min: valueMs(h.getValueAtPercentile(0)),
    mean: valueMs(mean),
    p50: valueMs(h.getValueAtPercentile(50)),
    p75: valueMs(h.getValueAtPercentile(75)),
    p90: valueMs(h.getValueAtPercentile(90)),
    p95: valueMs(h.getValueAtPercentile(95)),
    p99: valueMs(h.getValueAtPercentile(99)),
    p999: valueMs(h.getValueAtPercentile(99.9)),
    max: valueMs(h.getValueAtPercentile(100)),
    stdDev: finite(h.stdDeviation) / US_PER_MS,
  };
}

// Percentiles of the summary, ascending (0 = min, 100 = max).
const PCTS = [0, 50, 75, 90, 95, 99, 99.9, 100] as const;

/** Rank (1-based count) reached by a percentile, computed as `getValueAtPercentile` does. */
function rankAt(percentile: number, total: number): number {
  const fp = (percentile / 100) * total;
  const ulp = fp > 0 ? Math.pow(2, Math.floor(Math.log2(fp)) - 52) : 0;
  return Math.max(Math.ceil(fp - ulp), 1);
}

/**
 * For the 1 µs / 3 digit layout every Barrage histogram has (see `hasFastLayout`): the same
 * numbers as the library's `getValueAtPercentile` / `mean` / `stdDeviation` (same arithmetic
 * in the same order), in two passes over the counts instead of ten, with bucket bounds from
 * shifts of the index instead of the library's log2/pow per bucket (~20× faster). Any other
 * layout goes through the library itself.
 */
function summarizeFast(h: Histogram, total: number): LatencySummary {
  const counts = (h as unknown as { _counts: Uint32Array | Float64Array })._counts;
  if (counts.length > 30 << 10) return summarizeWithLibrary(h, total); // shifts would overflow
  const ranks = PCTS.map((p) => rankAt(p, total));
  const at: number[] = new Array<number>(PCTS.length).fill(0);
  const len = counts.length;
  let k = 0;
  let cum = 0;
  let sum = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < len && cum < total; i++) {
    const c = counts[i];
    if (c === 0) continue;
    if (first < 0) first = i;
    last = i;
    cum += c;
    // index → bucket b and sub-bucket s (2048 sub-buckets, half = 1024, unit magnitude 0)
    let b = (i >> 10) - 1;
    let sb = (i & 1023) + 1024;
    if (b < 0) {
      sb -= 1024;
      b = 0;
    }
    const size = 1 << b; // b ≤ 15 for values up to 60 s (and < 31 for any index of this layout)
    const lowest = sb * size;
    sum += (lowest + (size >> 1)) * c;
    while (k < ranks.length && cum >= ranks[k]) {
      at[k] = k === 0 ? lowest : lowest + size - 1;
      k++;
    }
  }
  const mean = sum / total;
  let dev2 = 0;
  for (let i = first; i >= 0 && i <= last; i++) {
    const c = counts[i];
    if (c === 0) continue;
    let b = (i >> 10) - 1;
    let sb = (i & 1023) + 1024;
    if (b < 0) {
      sb -= 1024;
      b = 0;
    }
    const size = 1 << b;
    const d = sb * size + (size >> 1) - mean;
    dev2 += d * d * c;
  }
  return fromScan(total, at, mean, dev2);
}

/** The summary of a bucket scan: `at` holds min, p50 … p999, max in µs (PCTS order). */
function fromScan(total: number, at: number[], mean: number, dev2: number): LatencySummary {
  return {
    count: total,
    min: valueMs(at[0]),
    mean: valueMs(mean),
    p50: valueMs(at[1]),
    p75: valueMs(at[2]),
    p90: valueMs(at[3]),
    p95: valueMs(at[4]),
    p99: valueMs(at[5]),
    p999: valueMs(at[6]),
    max: valueMs(at[7]),
    stdDev: finite(Math.sqrt(dev2 / total)) / US_PER_MS,
  };
}

/** Summarize an encoded (compressed base64) histogram. */
export function summarizeEncoded(s: string): LatencySummary {
  return summarize(decodeHistogram(s));
}

/** Value (ms) at an arbitrary percentile (0–100) of a microsecond histogram; 0 when empty. */
export function percentileMs(h: Histogram, percentile: number): number {
  if (!(h.totalCount > 0)) return 0;
  return valueMs(h.getValueAtPercentile(percentile));
}
