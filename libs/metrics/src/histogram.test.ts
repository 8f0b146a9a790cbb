import fc from 'fast-check';
import { build, decodeFromCompressedBase64, Int32Histogram, JsHistogram, type Histogram } from 'hdr-histogram-js';
import {
  clampMicros,
  fastIndex,
  hasFastLayout,
  isFastRecording,
  createLatencyHistogram,
  createMergeHistogram,
  decodeHistogram,
  decodeMerged,
  emptyHistogramEncoded,
  encodeHistogram,
  HIGHEST_MICROS,
  LOWEST_MICROS,
  mergeEncoded,
  mergeInto,
  recordMicros,
} from './histogram.js';
import { summarize, summarizeEncoded, type LatencySummary } from './summary.js';

const PCTS = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];

function histogramOf(values: readonly number[]): Histogram {
  const h = createLatencyHistogram();
  for (const v of values) recordMicros(h, v);
  return h;
}

/** The fields the brief asks to compare, plus stdDev. */
function keyStats(s: LatencySummary) {
  return {
    count: s.count,
    min: s.min,
    max: s.max,
    mean: s.mean,
    p50: s.p50,
    p75: s.p75,
    p90: s.p90,
    p95: s.p95,
    p99: s.p99,
    p999: s.p999,
    stdDev: s.stdDev,
  };
}

// Latency-like values: mostly small, some large, some out of range (to exercise clamping).
const micros = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 5_000 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 2_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: HIGHEST_MICROS }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -5, HIGHEST_MICROS, HIGHEST_MICROS + 1, 1e12, 0.4, 1.6, 999.5) },
);

describe('createLatencyHistogram', () => {
  it('is a fixed-range 32-bit JS histogram of 1 µs – 60 s, 3 digits', () => {
    const h = createLatencyHistogram();
    expect(h).toBeInstanceOf(Int32Histogram);
    expect(h.autoResize).toBe(false);
    expect(h.highestTrackableValue).toBe(60_000_000);
    expect(h.numberOfSignificantValueDigits).toBe(3);
    expect(h.totalCount).toBe(0);
  });

  it('throws on a raw out-of-range record (so clamping is needed)', () => {
    const h = createLatencyHistogram();
    expect(() => h.recordValue(HIGHEST_MICROS * 4)).toThrow();
  });

  it('makes independent histograms', () => {
    const a = createLatencyHistogram();
    const b = createLatencyHistogram();
    a.recordValue(10);
    expect(b.totalCount).toBe(0);
  });

  it('merge histograms use 64-bit buckets and hold counts beyond 2^32', () => {
    const h = createMergeHistogram();
    expect(h.autoResize).toBe(false);
    const big = 2 ** 32 + 7;
    h.recordValueWithCount(1000, big);
    expect(h.totalCount).toBe(big);
    const d = decodeHistogram(encodeHistogram(h));
    expect(d.totalCount).toBe(big);
    expect(d.getValueAtPercentile(50)).toBe(h.getValueAtPercentile(50));
  });
});

describe('clamping', () => {
  it('clampMicros maps every number into [1, 60e6] integers', () => {
    expect(clampMicros(0)).toBe(LOWEST_MICROS);
    expect(clampMicros(-1)).toBe(1);
    expect(clampMicros(Number.NaN)).toBe(1);
    expect(clampMicros(Number.NEGATIVE_INFINITY)).toBe(1);
    expect(clampMicros(Number.POSITIVE_INFINITY)).toBe(HIGHEST_MICROS);
    expect(clampMicros(60_000_001)).toBe(HIGHEST_MICROS);
    expect(clampMicros(1.4)).toBe(1);
    expect(clampMicros(1.5)).toBe(2);
    expect(clampMicros(1234)).toBe(1234);
    fc.assert(
      fc.property(fc.double(), (v) => {
        const c = clampMicros(v);
        return Number.isInteger(c) && c >= LOWEST_MICROS && c <= HIGHEST_MICROS;
      }),
    );
  });

  it('recordMicros never throws and clamps above 60 s', () => {
    const h = createLatencyHistogram();
    for (const v of [HIGHEST_MICROS + 1, 1e15, Number.POSITIVE_INFINITY, Number.MAX_VALUE]) {
      expect(() => recordMicros(h, v)).not.toThrow();
    }
    expect(h.totalCount).toBe(4);
    const s = summarize(h);
    expect(s.max).toBe(60_000);
    expect(s.min).toBeGreaterThanOrEqual(59_900);
    expect(s.mean).toBeLessThanOrEqual(60_000);
  });

  it('recordMicros clamps below 1 µs, negatives and NaN to 1 µs', () => {
    const h = createLatencyHistogram();
    for (const v of [0, -3, Number.NaN, Number.NEGATIVE_INFINITY, 0.2]) recordMicros(h, v);
    expect(h.totalCount).toBe(5);
    expect(h.getValueAtPercentile(0)).toBe(1);
    expect(h.getValueAtPercentile(100)).toBe(1);
  });

  it('recordMicros accepts any double without throwing', () => {
    const h = createLatencyHistogram();
    fc.assert(
      fc.property(fc.double(), (v) => {
        recordMicros(h, v);
      }),
    );
    expect(h.totalCount).toBeGreaterThan(0);
  });
});

describe('encode / decode', () => {
  it('round trips an empty histogram', () => {
    const s = encodeHistogram(createLatencyHistogram());
    expect(typeof s).toBe('string');
    expect(s).toBe(emptyHistogramEncoded());
    const d = decodeHistogram(s);
    expect(d.totalCount).toBe(0);
    expect(summarize(d).count).toBe(0);
  });

  it('round trips exactly (counts at every percentile, mean, stdDev)', () => {
    fc.assert(
      fc.property(fc.array(micros, { maxLength: 300 }), (values) => {
        const h = histogramOf(values);
        const d = decodeHistogram(encodeHistogram(h));
        expect(d.totalCount).toBe(h.totalCount);
        for (const p of PCTS) expect(d.getValueAtPercentile(p)).toBe(h.getValueAtPercentile(p));
        expect(summarize(d)).toEqual(summarize(h));
        // and a second round trip is stable
        expect(encodeHistogram(decodeHistogram(encodeHistogram(d)))).toBe(encodeHistogram(d));
      }),
      { numRuns: 150 },
    );
  });

  it('decoded histograms cover the full range and do not auto-resize', () => {
    const d = decodeHistogram(encodeHistogram(histogramOf([5])));
    expect(d.autoResize).toBe(false);
    expect(d.highestTrackableValue).toBeGreaterThanOrEqual(HIGHEST_MICROS);
    expect(() => recordMicros(d, HIGHEST_MICROS)).not.toThrow();
  });

  it('tolerates surrounding whitespace', () => {
    const s = encodeHistogram(histogramOf([10, 20, 30]));
    expect(decodeHistogram(`  ${s}\n`).totalCount).toBe(3);
  });

  it('rejects garbage and empty text', () => {
    expect(() => decodeHistogram('')).toThrow();
    expect(() => decodeHistogram('   ')).toThrow();
    expect(() => decodeHistogram('bm90IGEgaGlzdG9ncmFt')).toThrow();
  });

  it('produces the HdrHistogram V2 compressed base64 text', () => {
    // "HISTFAAA" is the base64 of the V2 compressed cookie 0x1c849314
    expect(encodeHistogram(histogramOf([1, 2, 3]))).toMatch(/^HISTFAAA[A-Za-z0-9+/]+=*$/);
  });
});

describe('merge', () => {
  // Values split in up to 6 groups: the merge of the groups' histograms must equal one histogram
  // that recorded every value.
  const groups = fc.array(fc.array(micros, { maxLength: 120 }), { minLength: 0, maxLength: 6 });

  it('mergeEncoded is exact: merged summary equals the single histogram summary', () => {
    fc.assert(
      fc.property(groups, (gs) => {
        const single = histogramOf(gs.flat());
        const merged = mergeEncoded(gs.map((g) => encodeHistogram(histogramOf(g))));
        expect(keyStats(summarizeEncoded(merged))).toEqual(keyStats(summarize(single)));
        const m = decodeHistogram(merged);
        for (const p of PCTS) expect(m.getValueAtPercentile(p)).toBe(single.getValueAtPercentile(p));
      }),
      { numRuns: 200 },
    );
  });

  it('mergeInto is exact for raw (never encoded) histograms and 32-bit targets', () => {
    fc.assert(
      fc.property(groups, (gs) => {
        const single = histogramOf(gs.flat());
        const target = createLatencyHistogram();
        for (const g of gs) expect(mergeInto(target, histogramOf(g))).toBe(target);
        expect(keyStats(summarize(target))).toEqual(keyStats(summarize(single)));
      }),
      { numRuns: 100 },
    );
  });

  it('merging is associative and commutative (same encoding whatever the grouping)', () => {
    fc.assert(
      fc.property(groups, (gs) => {
        const encs = gs.map((g) => encodeHistogram(histogramOf(g)));
        const flat = mergeEncoded(encs);
        const reversed = mergeEncoded([...encs].reverse());
        const nested = mergeEncoded([mergeEncoded(encs.slice(0, 2)), mergeEncoded(encs.slice(2))]);
        expect(reversed).toBe(flat);
        expect(nested).toBe(flat);
      }),
      { numRuns: 100 },
    );
  });

  it('merges a mix of raw and decoded histograms (min/max from buckets, not raw values)', () => {
    // A raw histogram keeps the exact recorded max; a decoded one only knows the bucket.
    const raw = histogramOf([1_234_567]);
    const decoded = decodeHistogram(encodeHistogram(histogramOf([1_234_567])));
    expect(summarize(raw)).toEqual(summarize(decoded));
    const t = createMergeHistogram();
    mergeInto(t, raw);
    mergeInto(t, decoded);
    expect(t.totalCount).toBe(2);
    expect(summarize(t).max).toBe(summarize(raw).max);
    expect(summarize(t).min).toBe(summarize(raw).min);
  });

  it('mergeEncoded of nothing, or of empty histograms, is empty', () => {
    expect(summarizeEncoded(mergeEncoded([])).count).toBe(0);
    expect(summarizeEncoded(mergeEncoded([emptyHistogramEncoded(), emptyHistogramEncoded()])).count).toBe(0);
    expect(decodeMerged([]).totalCount).toBe(0);
  });

  it('mergeInto an empty source leaves the target unchanged', () => {
    const t = histogramOf([10, 20]);
    const before = encodeHistogram(t);
    mergeInto(t, createLatencyHistogram());
    mergeInto(t, decodeHistogram(emptyHistogramEncoded()));
    expect(encodeHistogram(t)).toBe(before);
  });

  it('decodeMerged equals decode(mergeEncoded)', () => {
    const encs = [[1, 2, 3], [4000, 5000], [70e6]].map((g) => encodeHistogram(histogramOf(g)));
    expect(encodeHistogram(decodeMerged(encs))).toBe(mergeEncoded(encs));
    expect(decodeMerged(encs).totalCount).toBe(6);
  });

  // decodeMerged reads Barrage's own encodings straight into the sum; it must give the text and
  // tracked values the library's decode-then-add gives, for any histograms, big counts included.
  it('reading counts straight from the text equals decoding each histogram and adding it', () => {
    const reference = (encs: string[]) => {
      const acc = createMergeHistogram();
      for (const e of encs) acc.add(decodeFromCompressedBase64(e, 64, false, HIGHEST_MICROS));
      return acc;
    };
    const weighted = fc.array(fc.tuple(micros, fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 2 ** 40 }))), { maxLength: 60 });
    fc.assert(
      fc.property(fc.array(weighted, { maxLength: 6 }), (gs) => {
        const encs = gs.map((g) => {
          const h = createMergeHistogram();
          for (const [v, n] of g) h.recordValueWithCount(clampMicros(v), n);
          return encodeHistogram(h);
        });
        const got = decodeMerged(encs);
        const want = reference(encs);
        expect(encodeHistogram(got)).toBe(encodeHistogram(want));
        expect([got.totalCount, got.maxValue, got.minNonZeroValue]).toEqual([want.totalCount, want.maxValue, want.minNonZeroValue]);
      }),
      { numRuns: 200 },
    );
  });

  it('text that is not a histogram still fails the merge, whatever came before it', () => {
    const good = encodeHistogram(histogramOf([10, 20]));
    for (const bad of ['', 'HISTFAAA', 'not base64 at all', good.slice(0, 20)]) expect(() => mergeEncoded([good, bad])).toThrow();
  });

  it('mergeEncoded does not overflow 32-bit counts', () => {
    const a = createMergeHistogram();
    a.recordValueWithCount(500, 2 ** 31 + 1);
    const e = encodeHistogram(a);
    const m = decodeHistogram(mergeEncoded([e, e]));
    expect(m.totalCount).toBe(2 * (2 ** 31 + 1));
  });
});

describe('fast recording path', () => {
  const plain = (bitBucketSize: 32 | 64) =>
    build({
      bitBucketSize,
      autoResize: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_MICROS,
      numberOfSignificantValueDigits: 3,
    });
  const internals = (h: Histogram) => {
    const x = h as unknown as { maxValue: number; minNonZeroValue: number };
    return { total: h.totalCount, max: x.maxValue, min: x.minNonZeroValue, enc: encodeHistogram(h) };
  };

  it('is taken by the histograms this module creates', () => {
    expect(isFastRecording(createLatencyHistogram())).toBe(true);
    expect(isFastRecording(createMergeHistogram())).toBe(true);
    expect(isFastRecording(decodeHistogram(emptyHistogramEncoded()))).toBe(true);
    expect(hasFastLayout(createLatencyHistogram())).toBe(true);
    expect(isFastRecording(plain(32))).toBe(false);
  });

  it('fastIndex equals the library countsArrayIndex over the whole range', () => {
    const h = createLatencyHistogram() as unknown as JsHistogram;
    let mismatches = 0;
    for (let v = 1; v <= 70_000; v++) if (fastIndex(v) !== h.countsArrayIndex(v)) mismatches++;
    expect(mismatches).toBe(0);
    for (let e = 0; e <= 26; e++) {
      for (const v of [2 ** e - 1, 2 ** e, 2 ** e + 1]) {
        if (v >= 1 && v <= HIGHEST_MICROS) expect(fastIndex(v)).toBe(h.countsArrayIndex(v));
      }
    }
    fc.assert(
      fc.property(fc.integer({ min: 1, max: HIGHEST_MICROS }), (v) => fastIndex(v) === h.countsArrayIndex(v)),
      { numRuns: 5000 },
    );
  });

  it('records exactly what recordValue(clampMicros(v)) records (counts, total, min, max)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(micros, fc.double()), { maxLength: 300 }), fc.boolean(), (vs, wide) => {
        const fast = wide ? createMergeHistogram() : createLatencyHistogram();
        const slow = plain(wide ? 64 : 32);
        for (const v of vs) {
          recordMicros(fast, v);
          slow.recordValue(clampMicros(v));
        }
        expect(internals(fast)).toEqual(internals(slow));
        expect(summarize(fast)).toEqual(summarize(slow));
      }),
      { numRuns: 150 },
    );
  });

  it('keeps working after reset', () => {
    const h = createLatencyHistogram();
    recordMicros(h, 500);
    h.reset();
    recordMicros(h, 700);
    const slow = plain(32);
    slow.recordValue(700);
    expect(internals(h)).toEqual(internals(slow));
  });

  it('falls back to recordValue for histograms of another layout', () => {
    const twoDigits = build({ bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_MICROS, numberOfSignificantValueDigits: 2 });
    expect(hasFastLayout(twoDigits)).toBe(false);
    const coarse = build({ bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: 1000, highestTrackableValue: HIGHEST_MICROS, numberOfSignificantValueDigits: 3 });
    expect(hasFastLayout(coarse)).toBe(false);
    const small = build({ bitBucketSize: 32, autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: 1000, numberOfSignificantValueDigits: 3 });
    expect(hasFastLayout(small)).toBe(false);
    const packed = build({ bitBucketSize: 'packed', autoResize: false, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_MICROS, numberOfSignificantValueDigits: 3 });
    expect(hasFastLayout(packed)).toBe(false);
    recordMicros(twoDigits, 12_345);
    recordMicros(packed, 12_345);
    recordMicros(packed, 1e9);
    expect(twoDigits.totalCount).toBe(1);
    expect(packed.totalCount).toBe(2);
    expect(summarize(packed).max).toBe(60_000);
  });
});
