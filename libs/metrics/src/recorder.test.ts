import fc from 'fast-check';
import {
  createLatencyHistogram,
  decodeHistogram,
  emptyHistogramEncoded,
  encodeHistogram,
  recordMicros,
  type Histogram,
} from './histogram.js';
import { FAILURE_KINDS, isFailureKind, StepRecorder, type FailureKind, type StepIntervalData } from './recorder.js';
import { summarizeEncoded } from './summary.js';

function encodedOf(values: readonly number[]): string {
  const h = createLatencyHistogram();
  for (const v of values) recordMicros(h, v);
  return encodeHistogram(h);
}

interface Internals {
  latencyActive: Histogram;
  latencySpare: Histogram;
  serviceActive: Histogram;
  serviceSpare: Histogram;
}

describe('StepRecorder', () => {
  it('starts empty', () => {
    const r = new StepRecorder('login');
    expect(r.step).toBe('login');
    expect(r.requests).toBe(0);
    expect(r.failures).toBe(0);
    expect(r.swap()).toEqual({
      step: 'login',
      requests: 0,
      successes: 0,
      failures: 0,
      failureKinds: {},
      statusCodes: {},
      failedChecks: {},
      bytesIn: 0,
      bytesOut: 0,
      latency: emptyHistogramEncoded(),
      serviceTime: emptyHistogramEncoded(),
    });
  });

  it('records responses: counts, status codes, bytes and both histograms', () => {
    const r = new StepRecorder('s');
    r.recordResponse(2000, 1500, 200, 1000, 100, null);
    r.recordResponse(3000, 2500, 200, 1000, 100, null);
    r.recordResponse(4000, 3500, 404, 50, 100, 'http_4xx');
    r.recordResponse(9000, 8000, 503, 20, 100, 'http_5xx');
    expect(r.requests).toBe(4);
    expect(r.failures).toBe(2);
    const d = r.swap();
    expect(d.requests).toBe(4);
    expect(d.successes).toBe(2);
    expect(d.failures).toBe(2);
    expect(d.failureKinds).toEqual({ http_4xx: 1, http_5xx: 1 });
    expect(d.statusCodes).toEqual({ '200': 2, '404': 1, '503': 1 });
    expect(d.bytesIn).toBe(2070);
    expect(d.bytesOut).toBe(400);
    expect(d.latency).toBe(encodedOf([2000, 3000, 4000, 9000]));
    expect(d.serviceTime).toBe(encodedOf([1500, 2500, 3500, 8000]));
    const lat = summarizeEncoded(d.latency);
    expect(lat.count).toBe(4);
    expect(lat.min).toBeCloseTo(2, 2);
    expect(lat.max).toBeCloseTo(9, 1);
  });

  it('counts every failure kind in its own field; unknown kinds as other', () => {
    const r = new StepRecorder('s');
    FAILURE_KINDS.forEach((k, i) => {
      for (let n = 0; n <= i; n++) r.recordFailure(k, 100);
    });
    r.recordFailure('bogus' as FailureKind, 100);
    const d = r.swap();
    const expected: Record<string, number> = {};
    FAILURE_KINDS.forEach((k, i) => (expected[k] = i + 1));
    expected.other += 1;
    expect(d.failureKinds).toEqual(expected);
    expect(Object.keys(d.failureKinds)).toEqual([...FAILURE_KINDS]); // reporting order
    const total = (FAILURE_KINDS.length * (FAILURE_KINDS.length + 1)) / 2 + 1;
    expect(d.failures).toBe(total);
    expect(d.requests).toBe(total);
    expect(d.successes).toBe(0);
    expect(d.statusCodes).toEqual({});
    expect(summarizeEncoded(d.latency).count).toBe(total);
    expect(summarizeEncoded(d.serviceTime).count).toBe(0);
  });

  it('recordFailure skips the latency histogram for a negative or NaN latency', () => {
    const r = new StepRecorder('s');
    r.recordFailure('dropped', -1);
    r.recordFailure('dropped', Number.NaN);
    r.recordFailure('timeout', 30_000_000);
    r.recordFailure('connect_refused', 0);
    const d = r.swap();
    expect(d.requests).toBe(4);
    expect(d.failures).toBe(4);
    expect(d.failureKinds).toEqual({ dropped: 2, timeout: 1, connect_refused: 1 });
    expect(d.latency).toBe(encodedOf([30_000_000, 0]));
  });

  it('clamps latencies (never throws on the hot path)', () => {
    const r = new StepRecorder('s');
    expect(() => {
      r.recordResponse(1e12, Number.POSITIVE_INFINITY, 200, 0, 0, null);
      r.recordResponse(-5, Number.NaN, 200, 0, 0, null);
      r.recordFailure('timeout', 1e15);
    }).not.toThrow();
    const d = r.swap();
    expect(summarizeEncoded(d.latency).max).toBe(60_000);
    expect(summarizeEncoded(d.latency).min).toBe(0.001);
    expect(summarizeEncoded(d.serviceTime).count).toBe(2);
  });

  it('counts unusual status codes too (0, ≥ 600, negative, fractional)', () => {
    const r = new StepRecorder('s');
    for (const st of [0, 599, 600, 999, -1, 200.5, 600, 100]) r.recordResponse(10, 10, st, 0, 0, null);
    expect(r.swap().statusCodes).toEqual({ '0': 1, '100': 1, '599': 1, '600': 2, '999': 1, '-1': 1, '200.5': 1 });
    expect(r.swap().statusCodes).toEqual({});
  });

  it('counts failed checks by name, any name', () => {
    const r = new StepRecorder('s');
    r.recordCheckFailure('status is 200');
    r.recordCheckFailure('status is 200');
    r.recordCheckFailure('body has id');
    r.recordCheckFailure('__proto__');
    r.recordCheckFailure('constructor');
    const d = r.swap();
    expect(d.failedChecks['status is 200']).toBe(2);
    expect(d.failedChecks['body has id']).toBe(1);
    expect(Object.prototype.hasOwnProperty.call(d.failedChecks, '__proto__')).toBe(true);
    expect(d.failedChecks['__proto__']).toBe(1);
    expect(d.failedChecks['constructor']).toBe(1);
    expect(Object.getPrototypeOf(d.failedChecks)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(d.failedChecks))).toEqual(d.failedChecks);
    // checks alone do not count requests or failures
    expect(d.requests).toBe(0);
    expect(d.failures).toBe(0);
  });

  it('swap returns the previous interval exactly and resets everything', () => {
    const r = new StepRecorder('s');
    r.recordResponse(1000, 900, 200, 10, 1, null);
    r.recordFailure('timeout', 5000);
    r.recordCheckFailure('c');
    const first = r.swap();
    expect(first.requests).toBe(2);

    const second = r.swap();
    expect(second).toEqual(new StepRecorder('s').swap());

    r.recordResponse(7000, 6000, 201, 3, 4, null);
    const third = r.swap();
    expect(third).toEqual({
      step: 's',
      requests: 1,
      successes: 1,
      failures: 0,
      failureKinds: {},
      statusCodes: { '201': 1 },
      failedChecks: {},
      bytesIn: 3,
      bytesOut: 4,
      latency: encodedOf([7000]),
      serviceTime: encodedOf([6000]),
    });
    // the first interval's data is not affected by later recording
    expect(first.latency).toBe(encodedOf([1000, 5000]));
    expect(first.failedChecks).toEqual({ c: 1 });
  });

  it('swaps between two pairs of histograms and never allocates new ones', () => {
    const r = new StepRecorder('s');
    const internals = r as unknown as Internals;
    const seen = new Set<Histogram>([
      internals.latencyActive,
      internals.latencySpare,
      internals.serviceActive,
      internals.serviceSpare,
    ]);
    expect(seen.size).toBe(4);
    for (let i = 0; i < 20; i++) {
      const before = internals.latencyActive;
      r.recordResponse(100 + i, 50 + i, 200, 0, 0, null);
      r.swap();
      expect(internals.latencyActive).not.toBe(before);
      expect(internals.latencySpare).toBe(before);
      expect(internals.latencySpare.totalCount).toBe(0); // reset after encoding
      expect(internals.serviceSpare.totalCount).toBe(0);
      for (const h of [internals.latencyActive, internals.latencySpare, internals.serviceActive, internals.serviceSpare]) {
        expect(seen.has(h)).toBe(true);
      }
    }
  });

  it('returns plain JSON-serialisable data', () => {
    const r = new StepRecorder('checkout');
    r.recordResponse(1000, 900, 200, 10, 1, null);
    r.recordFailure('dns', 10);
    r.recordCheckFailure('ok');
    const d = r.swap();
    const round = JSON.parse(JSON.stringify(d)) as StepIntervalData;
    expect(round).toEqual(d);
    expect(decodeHistogram(round.latency).totalCount).toBe(2);
  });

  it('isFailureKind recognises exactly the known kinds', () => {
    for (const k of FAILURE_KINDS) expect(isFailureKind(k)).toBe(true);
    expect(isFailureKind('nope')).toBe(false);
    expect(isFailureKind(3)).toBe(false);
    expect(FAILURE_KINDS).toEqual([
      'timeout', 'connect_refused', 'connect_reset', 'dns', 'tls',
      'http_4xx', 'http_5xx', 'check_failed', 'dropped', 'other',
    ]);
  });

  // Model-based: random sequences of events and swaps against a plain model.
  it('matches a simple model over random event sequences with swaps', () => {
    const kind = fc.constantFrom(...FAILURE_KINDS);
    const us = fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: -10, max: 70_000_000 }));
    const event = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          t: fc.constant('resp' as const),
          lat: us,
          svc: us,
          status: fc.constantFrom(200, 201, 204, 301, 400, 404, 500, 503, 0, 700),
          bin: fc.nat(100_000),
          bout: fc.nat(10_000),
          kind: fc.option(kind, { nil: null }),
        }),
      },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('fail' as const), kind, lat: fc.oneof(us, fc.constant(-1)) }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant('check' as const), name: fc.constantFrom('a', 'b', 'status 200') }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant('swap' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 150 }), (events) => {
        const r = new StepRecorder('m');
        const fresh = () => ({
          requests: 0, successes: 0, failures: 0, bytesIn: 0, bytesOut: 0,
          kinds: {} as Record<string, number>, statuses: {} as Record<string, number>,
          checks: {} as Record<string, number>, lat: [] as number[], svc: [] as number[],
        });
        let m = fresh();
        const inc = (o: Record<string, number>, k: string) => (o[k] = (o[k] ?? 0) + 1);
        const check = (d: StepIntervalData) => {
          expect(d).toEqual({
            step: 'm',
            requests: m.requests,
            successes: m.successes,
            failures: m.failures,
            failureKinds: m.kinds,
            statusCodes: m.statuses,
            failedChecks: m.checks,
            bytesIn: m.bytesIn,
            bytesOut: m.bytesOut,
            latency: encodedOf(m.lat),
            serviceTime: encodedOf(m.svc),
          });
          expect(d.successes + d.failures).toBe(d.requests);
        };
        for (const e of events) {
          switch (e.t) {
            case 'resp':
              r.recordResponse(e.lat, e.svc, e.status, e.bin, e.bout, e.kind);
              m.requests++;
              if (e.kind === null) m.successes++;
              else {
                m.failures++;
                inc(m.kinds, e.kind);
              }
              inc(m.statuses, String(e.status));
              m.bytesIn += e.bin;
              m.bytesOut += e.bout;
              m.lat.push(e.lat);
              m.svc.push(e.svc);
              break;
            case 'fail':
              r.recordFailure(e.kind, e.lat);
              m.requests++;
              m.failures++;
              inc(m.kinds, e.kind);
              if (e.lat >= 0) m.lat.push(e.lat);
              break;
            case 'check':
              r.recordCheckFailure(e.name);
              inc(m.checks, e.name);
              break;
            case 'swap':
              check(r.swap());
              m = fresh();
              break;
          }
        }
        check(r.swap());
      }),
      { numRuns: 100 },
    );
  });
});
