import fc from 'fast-check';
import { describeInterval, emptyStepInterval, mergeStepIntervals } from './aggregate.js';
import { addCount, mergeCounts } from './counts.js';
import { emptyHistogramEncoded, encodeHistogram, createLatencyHistogram, recordMicros } from './histogram.js';
import { FAILURE_KINDS, StepRecorder, type StepIntervalData } from './recorder.js';
import { summarizeEncoded } from './summary.js';

type Event =
  | { t: 'resp'; lat: number; svc: number; status: number; bin: number; bout: number; kind: (typeof FAILURE_KINDS)[number] | null }
  | { t: 'fail'; kind: (typeof FAILURE_KINDS)[number]; lat: number }
  | { t: 'check'; name: string };

function apply(r: StepRecorder, e: Event): void {
  if (e.t === 'resp') r.recordResponse(e.lat, e.svc, e.status, e.bin, e.bout, e.kind);
  else if (e.t === 'fail') r.recordFailure(e.kind, e.lat);
  else r.recordCheckFailure(e.name);
}

const kindArb = fc.constantFrom(...FAILURE_KINDS);
const usArb = fc.oneof(fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 1, max: 65_000_000 }));
const eventArb: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('resp' as const),
      lat: usArb,
      svc: usArb,
      status: fc.constantFrom(200, 204, 302, 404, 429, 500, 502),
      bin: fc.nat(50_000),
      bout: fc.nat(5_000),
      kind: fc.option(kindArb, { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fail' as const), kind: kindArb, lat: fc.oneof(usArb, fc.constant(-1)) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('check' as const), name: fc.constantFrom('x', 'y', 'z') }) },
);

describe('mergeStepIntervals', () => {
  it('of nothing is an empty interval with the given step', () => {
    expect(mergeStepIntervals([], 'all')).toEqual(emptyStepInterval('all'));
    expect(emptyStepInterval('all')).toEqual(new StepRecorder('all').swap());
  });

  it('sums counts and maps, merges histograms, labels with the given step', () => {
    const a = new StepRecorder('a');
    a.recordResponse(1000, 800, 200, 100, 10, null);
    a.recordResponse(2000, 1800, 500, 100, 10, 'http_5xx');
    a.recordCheckFailure('status ok');
    const b = new StepRecorder('b');
    b.recordResponse(3000, 2800, 200, 50, 5, null);
    b.recordFailure('timeout', 10_000);
    b.recordCheckFailure('status ok');
    b.recordCheckFailure('has body');
    const da = a.swap();
    const db = b.swap();
    const m = mergeStepIntervals([da, db], 'all');
    expect(m.step).toBe('all');
    expect(m.requests).toBe(4);
    expect(m.successes).toBe(2);
    expect(m.failures).toBe(2);
    expect(m.failureKinds).toEqual({ http_5xx: 1, timeout: 1 });
    expect(m.statusCodes).toEqual({ '200': 2, '500': 1 });
    expect(m.failedChecks).toEqual({ 'status ok': 2, 'has body': 1 });
    expect(m.bytesIn).toBe(250);
    expect(m.bytesOut).toBe(25);
    expect(summarizeEncoded(m.latency).count).toBe(4);
    expect(summarizeEncoded(m.serviceTime).count).toBe(3);
  });

  it('does not modify its inputs', () => {
    const r = new StepRecorder('s');
    r.recordResponse(1000, 800, 200, 1, 1, null);
    r.recordCheckFailure('c');
    const d = r.swap();
    const copy = JSON.parse(JSON.stringify(d)) as StepIntervalData;
    mergeStepIntervals([d, d, d], 's');
    expect(d).toEqual(copy);
  });

  it('a single interval merges to itself', () => {
    const r = new StepRecorder('s');
    r.recordResponse(1000, 800, 200, 1, 1, null);
    r.recordFailure('tls', 50);
    const d = r.swap();
    expect(mergeStepIntervals([d], 's')).toEqual(d);
  });

  it('is exact: merging the parts equals one recorder that saw every event', () => {
    fc.assert(
      fc.property(fc.array(fc.array(eventArb, { maxLength: 60 }), { maxLength: 6 }), (parts) => {
        const single = new StepRecorder('all');
        const datas = parts.map((events, i) => {
          const r = new StepRecorder(`part${i}`);
          for (const e of events) {
            apply(r, e);
            apply(single, e);
          }
          return r.swap();
        });
        const merged = mergeStepIntervals(datas, 'all');
        const expected = single.swap();
        // Everything equal, histograms byte-for-byte (same bucket counts give the same encoding).
        expect(merged).toEqual(expected);
        expect(describeInterval(merged, 1000)).toEqual(describeInterval(expected, 1000));
      }),
      { numRuns: 120 },
    );
  });

  it('is associative (nested merges give the same result)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(eventArb, { maxLength: 30 }), { minLength: 1, maxLength: 5 }), (parts) => {
        const datas = parts.map((events) => {
          const r = new StepRecorder('s');
          for (const e of events) apply(r, e);
          return r.swap();
        });
        const flat = mergeStepIntervals(datas, 's');
        const nested = mergeStepIntervals(
          [mergeStepIntervals(datas.slice(0, 1), 's'), mergeStepIntervals(datas.slice(1), 's')],
          's',
        );
        expect(nested).toEqual(flat);
      }),
      { numRuns: 60 },
    );
  });
});

describe('describeInterval', () => {
  it('derives the numbers of docs/metrics.md#intervals', () => {
    const r = new StepRecorder('s');
    for (let i = 1; i <= 100; i++) r.recordResponse(i * 1000, i * 900, i % 10 === 0 ? 500 : 200, 10, 2, i % 10 === 0 ? 'http_5xx' : null);
    r.recordFailure('timeout', 200_000);
    const d = r.swap();
    const n = describeInterval(d, 2000);
    expect(Object.keys(n).sort()).toEqual(
      ['count', 'failures', 'rps', 'mean', 'min', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max', 'stdDev', 'bytesIn', 'bytesOut', 'statusCodes', 'failureKinds'].sort(),
    );
    expect(n.count).toBe(101);
    expect(n.failures).toBe(11);
    expect(n.rps).toBeCloseTo(50.5, 10);
    expect(n.min).toBeCloseTo(1, 2);
    expect(n.p50).toBeCloseTo(51, 1);
    expect(n.p99).toBeCloseTo(100, 0);
    expect(n.max).toBeCloseTo(200, 0);
    expect(n.mean).toBeGreaterThan(50);
    expect(n.stdDev).toBeGreaterThan(0);
    expect(n.bytesIn).toBe(1000);
    expect(n.bytesOut).toBe(200);
    expect(n.statusCodes).toEqual({ '200': 90, '500': 10 });
    expect(n.failureKinds).toEqual({ http_5xx: 10, timeout: 1 });
    const s = summarizeEncoded(d.latency);
    expect([n.mean, n.min, n.p50, n.p75, n.p90, n.p95, n.p99, n.p999, n.max, n.stdDev]).toEqual([
      s.mean, s.min, s.p50, s.p75, s.p90, s.p95, s.p99, s.p999, s.max, s.stdDev,
    ]);
  });

  it('returns fresh maps (no aliasing of the input)', () => {
    const r = new StepRecorder('s');
    r.recordResponse(10, 10, 200, 0, 0, null);
    const d = r.swap();
    const n = describeInterval(d, 1000);
    n.statusCodes['200'] = 99;
    expect(d.statusCodes['200']).toBe(1);
  });

  it('gives zeros for an empty interval', () => {
    const n = describeInterval(emptyStepInterval('s'), 1000);
    expect(n).toEqual({
      count: 0, failures: 0, rps: 0, mean: 0, min: 0, p50: 0, p75: 0, p90: 0, p95: 0, p99: 0, p999: 0,
      max: 0, stdDev: 0, bytesIn: 0, bytesOut: 0, statusCodes: {}, failureKinds: {},
    });
  });

  it('rps uses the resolution in seconds', () => {
    const d = { ...emptyStepInterval('s'), requests: 300 };
    expect(describeInterval(d, 1000).rps).toBe(300);
    expect(describeInterval(d, 5000).rps).toBe(60);
    expect(describeInterval(d, 250).rps).toBe(1200);
  });

  it('rejects a non-positive or non-finite resolution', () => {
    const d = emptyStepInterval('s');
    for (const bad of [0, -1000, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => describeInterval(d, bad)).toThrow(RangeError);
    }
  });

  it('uses the latency histogram, not the service-time one', () => {
    const d: StepIntervalData = {
      ...emptyStepInterval('s'),
      requests: 1,
      successes: 1,
      latency: (() => {
        const h = createLatencyHistogram();
        recordMicros(h, 5000);
        return encodeHistogram(h);
      })(),
      serviceTime: emptyHistogramEncoded(),
    };
    expect(describeInterval(d, 1000).max).toBeCloseTo(5, 2);
  });
});

describe('count maps', () => {
  it('mergeCounts sums keys and drops zeros', () => {
    expect(mergeCounts([{ a: 1, b: 2 }, { b: 3, c: 0 }, {}, { a: -1 }])).toEqual({ b: 5 });
    expect(mergeCounts([])).toEqual({});
  });

  it('mergeCounts handles __proto__ and other prototype names as plain keys', () => {
    const src = JSON.parse('{"__proto__": 2, "constructor": 1, "toString": 4}') as Record<string, number>;
    const m = mergeCounts([src, src]);
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(Object.keys(m).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(m['__proto__']).toBe(4);
    expect(m['constructor']).toBe(2);
    expect(m['toString']).toBe(8);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it('addCount creates and increments', () => {
    const r: Record<string, number> = {};
    addCount(r, 'x', 2);
    addCount(r, 'x', 3);
    addCount(r, '__proto__', 1);
    addCount(r, '__proto__', 1);
    expect(r.x).toBe(5);
    expect(Object.prototype.hasOwnProperty.call(r, '__proto__')).toBe(true);
    expect(r['__proto__']).toBe(2);
  });

  it('mergeCounts equals a model sum', () => {
    const map = fc.dictionary(fc.constantFrom('200', '404', 'a', 'b', '__proto__', 'valueOf'), fc.integer({ min: 0, max: 1000 }));
    fc.assert(
      fc.property(fc.array(map, { maxLength: 6 }), (maps) => {
        const expected = new Map<string, number>();
        for (const m of maps) for (const [k, v] of Object.entries(m)) expected.set(k, (expected.get(k) ?? 0) + v);
        for (const [k, v] of [...expected]) if (v === 0) expected.delete(k);
        expect(new Map(Object.entries(mergeCounts(maps)))).toEqual(expected);
      }),
    );
  });
});
