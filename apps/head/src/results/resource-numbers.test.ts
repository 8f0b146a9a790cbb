import fc from 'fast-check';
import { createLatencyHistogram, emptyHistogramEncoded, encodeHistogram, recordMicros, summarize } from '@barrage/metrics';
import { RowAccumulator, checkPassRate, resourceNumbers, timingBreakdown, type IntervalRowLike } from './resource-numbers';

function row(values: number[], extra: Partial<IntervalRowLike> = {}): IntervalRowLike {
  const h = createLatencyHistogram();
  for (const v of values) recordMicros(h, v);
  return {
    count: values.length,
    failures: 0,
    rps: values.length,
    histogram: values.length ? encodeHistogram(h) : emptyHistogramEncoded(),
    serviceHistogram: null,
    statusCodes: {},
    failureKinds: {},
    failedChecks: {},
    checks: 0,
    timings: {},
    bytesIn: 0n,
    bytesOut: 0n,
    ...extra,
  };
}

const micros = fc.integer({ min: 1, max: 60_000_000 });

describe('numbers of a set of interval rows', () => {
  it('merged percentiles equal those of one histogram that saw every value, however the values are split', () => {
    fc.assert(
      fc.property(fc.array(fc.array(micros, { maxLength: 80 }), { minLength: 1, maxLength: 8 }), (groups) => {
        const one = createLatencyHistogram();
        for (const v of groups.flat()) recordMicros(one, v);
        const expected = summarize(one);
        const rows = groups.map((g) => row(g));
        const { count: _c, ...latency } = expected;
        expect(resourceNumbers(rows, 10).latency).toEqual(expected);
        const observed = new RowAccumulator().addAll(rows).observed(10);
        expect({ p50: observed.p50, p75: observed.p75, p90: observed.p90, p95: observed.p95, p99: observed.p99, p999: observed.p999, mean: observed.mean, min: observed.min, max: observed.max }).toEqual({
          p50: latency.p50, p75: latency.p75, p90: latency.p90, p95: latency.p95, p99: latency.p99, p999: latency.p999, mean: latency.mean, min: latency.min, max: latency.max,
        });
        expect(observed.count).toBe(groups.flat().length);
      }),
      { numRuns: 60 },
    );
  });

  it('an accumulator fed row by row equals one fed every row at once', () => {
    fc.assert(
      fc.property(fc.array(fc.array(micros, { maxLength: 30 }), { minLength: 1, maxLength: 6 }), (groups) => {
        const rows = groups.map((g, i) => row(g, { failures: Math.min(i, g.length), checks: g.length * 2, failedChecks: { c: Math.min(1, g.length) } }));
        const stepwise = new RowAccumulator();
        for (const r of rows) stepwise.add(r);
        expect(stepwise.observed(5)).toEqual(new RowAccumulator().addAll(rows).observed(5));
      }),
      { numRuns: 40 },
    );
  });

  it('derives rates and ratios', () => {
    const rows = [row([1000, 2000], { failures: 1, checks: 4, failedChecks: { a: 1 } }), row([3000, 4000], { checks: 4, failedChecks: { a: 1, b: 1 } })];
    const o = new RowAccumulator().addAll(rows).observed(2);
    expect(o.count).toBe(4);
    expect(o.errorRate).toBe(0.25);
    expect(o.rps).toBe(2);
    expect(o.checks).toBeCloseTo(1 - 3 / 8);
    const n = resourceNumbers(rows, 2);
    expect(n.checks).toEqual({ evaluated: 8, failed: 3, passRate: 1 - 3 / 8 });
    expect(n.errors.byCheck).toEqual({ a: 2, b: 1 });
    expect(new RowAccumulator().observed(0)).toMatchObject({ count: 0, errorRate: 0, rps: 0, checks: 1 });
  });

  it('averages timings over the requests that paid them', () => {
    expect(checkPassRate(0, 0)).toBe(1);
    expect(timingBreakdown({ connectUs: 3000, tlsUs: 0, connections: 2, firstByteUs: 10_000, downloadUs: 500, responses: 10 })).toEqual({
      connectMs: 1.5, tlsMs: 0, firstByteMs: 1, downloadMs: 0.05, connections: 2,
    });
    expect(resourceNumbers([row([5], { timings: { connectUs: 100, connections: 1, firstByteUs: 40, responses: 2 } })], 1).timingBreakdown).toEqual({
      connectMs: 0.1, tlsMs: 0, firstByteMs: 0.02, downloadMs: 0, connections: 1,
    });
  });
});
