import fc from 'fast-check';
import { build } from 'hdr-histogram-js';
import {
  createLatencyHistogram,
  createMergeHistogram,
  decodeHistogram,
  emptyHistogramEncoded,
  encodeHistogram,
  HIGHEST_MICROS,
  recordMicros,
  type Histogram,
} from './histogram.js';
import { emptySummary, percentileMs, summarize, summarizeEncoded, type LatencySummary } from './summary.js';

const KEYS: (keyof LatencySummary)[] = ['count', 'min', 'mean', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max', 'stdDev'];

function histogramOf(values: readonly number[]): Histogram {
  const h = createLatencyHistogram();
  for (const v of values) recordMicros(h, v);
  return h;
}

/** The summary computed with the library's own (slower) methods. */
function librarySummary(h: Histogram): LatencySummary {
  const ms = (v: number) => Math.min(v, HIGHEST_MICROS) / 1000;
  return {
    count: h.totalCount,
    min: ms(h.getValueAtPercentile(0)),
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p75: ms(h.getValueAtPercentile(75)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.getValueAtPercentile(100)),
    stdDev: h.stdDeviation / 1000,
  };
}

describe('summarize', () => {
  it('gives count 0 and zeros for an empty histogram (no NaN, no Infinity)', () => {
    for (const s of [
      summarize(createLatencyHistogram()),
      summarize(createMergeHistogram()),
      summarizeEncoded(emptyHistogramEncoded()),
      summarize(decodeHistogram(emptyHistogramEncoded())),
    ]) {
      expect(s).toEqual(emptySummary());
      for (const k of KEYS) {
        expect(s[k]).toBe(0);
        expect(Number.isFinite(s[k])).toBe(true);
      }
    }
    expect(percentileMs(createLatencyHistogram(), 99)).toBe(0);
  });

  it('has exactly the documented keys', () => {
    expect(Object.keys(summarize(histogramOf([1000]))).sort()).toEqual([...KEYS].sort());
    expect(Object.keys(emptySummary()).sort()).toEqual([...KEYS].sort());
  });

  it('reports milliseconds from microseconds', () => {
    const s = summarize(histogramOf([1500]));
    expect(s.count).toBe(1);
    expect(s.min).toBeCloseTo(1.5, 2);
    expect(s.max).toBeCloseTo(1.5, 2);
    expect(s.p50).toBeCloseTo(1.5, 2);
    expect(s.mean).toBeCloseTo(1.5, 2);
    expect(s.stdDev).toBe(0);
    const small = summarize(histogramOf([7]));
    expect(small.min).toBe(0.007);
    expect(small.max).toBe(0.007);
    expect(small.mean).toBe(0.007);
  });

  it('is within 0.1 % for a uniform distribution of 1..100,000 µs', () => {
    const h = createLatencyHistogram();
    for (let v = 1; v <= 100_000; v++) recordMicros(h, v);
    const s = summarize(h);
    expect(s.count).toBe(100_000);
    expect(s.min).toBe(0.001);
    const close = (actual: number, expected: number) =>
      expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(0.001);
    close(s.p50, 50);
    close(s.p75, 75);
    close(s.p90, 90);
    close(s.p95, 95);
    close(s.p99, 99);
    close(s.p999, 99.9);
    close(s.max, 100);
    close(s.mean, 50);
    close(s.stdDev, 100 / Math.sqrt(12));
  });

  it('orders min ≤ p50 ≤ … ≤ p999 ≤ max ≤ 60 s, mean within [min, max]', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 200 }), (vs) => {
        const s = summarize(histogramOf(vs));
        const seq = [s.min, s.p50, s.p75, s.p90, s.p95, s.p99, s.p999, s.max];
        for (let i = 1; i < seq.length; i++) expect(seq[i]).toBeGreaterThanOrEqual(seq[i - 1]);
        expect(s.max).toBeLessThanOrEqual(60_000);
        expect(s.mean).toBeGreaterThanOrEqual(s.min);
        expect(s.mean).toBeLessThanOrEqual(s.max);
        expect(s.stdDev).toBeGreaterThanOrEqual(0);
        for (const k of KEYS) expect(Number.isFinite(s[k])).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('equals the library’s getValueAtPercentile / mean / stdDeviation exactly', () => {
    const values = fc.array(
      fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: HIGHEST_MICROS + 10 })),
      { minLength: 1, maxLength: 400 },
    );
    fc.assert(
      fc.property(values, fc.boolean(), (vs, decode) => {
        const raw = histogramOf(vs);
        const h = decode ? decodeHistogram(encodeHistogram(raw)) : raw;
        expect(summarize(h)).toEqual(librarySummary(h));
      }),
      { numRuns: 150 },
    );
  });

  it('equals the library for histograms of other layouts (generic path)', () => {
    const layouts = [
      { digits: 2 as const, highest: HIGHEST_MICROS, lowest: 1 },
      { digits: 3 as const, highest: 2 ** 40, lowest: 1 }, // counts array too long for the shift path
      { digits: 3 as const, highest: HIGHEST_MICROS, lowest: 1000 },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...layouts), fc.array(fc.integer({ min: 1, max: HIGHEST_MICROS }), { minLength: 1, maxLength: 200 }), (l, vs) => {
        const h = build({ bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: l.lowest, highestTrackableValue: l.highest, numberOfSignificantValueDigits: l.digits });
        for (const v of vs) h.recordValue(v);
        if (l.highest > HIGHEST_MICROS) h.recordValue(2 ** 35);
        expect(summarize(h)).toEqual(librarySummary(h));
      }),
      { numRuns: 60 },
    );
  });

  it('handles large counts (rank rounding as the library does)', () => {
    const h = createMergeHistogram();
    h.recordValueWithCount(100, 999);
    h.recordValueWithCount(200, 1);
    h.recordValueWithCount(5000, 3_000_000_000);
    expect(summarize(h)).toEqual(librarySummary(h));
    const g = createLatencyHistogram();
    for (let i = 0; i < 999; i++) g.recordValue(1000);
    g.recordValue(9000);
    const s = summarize(g);
    expect(s.p999).toBeCloseTo(1, 3); // rank 999 of 1000 is still 1 ms
    expect(s.max).toBeCloseTo(9, 1); // highest equivalent value of 9000 µs is 9007 µs
    expect(s).toEqual(librarySummary(g));
  });

  it('summarizeEncoded equals summarize of the source histogram', () => {
    const h = histogramOf([10, 200, 3_000, 40_000, 500_000, 6_000_000]);
    expect(summarizeEncoded(encodeHistogram(h))).toEqual(summarize(h));
  });

  it('percentileMs gives any percentile in ms', () => {
    const h = histogramOf([1000, 2000, 3000, 4000]);
    expect(percentileMs(h, 50)).toBeCloseTo(2, 2);
    expect(percentileMs(h, 100)).toBeCloseTo(4, 2);
    expect(percentileMs(h, 0)).toBeCloseTo(1, 2);
  });
});
