import fc from 'fast-check';
import {
  createLatencyHistogram,
  decodeHistogram,
  emptyHistogramEncoded,
  encodeHistogram,
  recordMicros,
  type Histogram,
} from './histogram.js';
import { MAX_SAMPLES_PER_KIND as CONTRACT_MAX_SAMPLES, stepSnapshotSchema } from '@barrage/contracts';
import {
  emptyTimings,
  FAILURE_KINDS,
  isFailureKind,
  MAX_SAMPLE_TEXT,
  MAX_SAMPLES_PER_KIND,
  StepRecorder,
  type FailureKind,
  type FailureSampleData,
  type StepIntervalData,
  type TimingSums,
} from './recorder.js';
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
      checks: 0,
      timings: { connectUs: 0, tlsUs: 0, connections: 0, firstByteUs: 0, downloadUs: 0, responses: 0 },
      samples: [],
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
    r.recordChecks(2);
    r.recordTimings(400, 500);
    r.recordConnect(100, 50);
    r.recordFailure('timeout', 5000);
    r.addSample('timeout', 'GET http://x/', null, 'Headers Timeout Error', 1000);
    r.recordCheckFailure('c');
    const first = r.swap();
    expect(first.requests).toBe(2);
    expect(first.checks).toBe(2);
    expect(first.timings).toEqual({ connectUs: 100, tlsUs: 50, connections: 1, firstByteUs: 400, downloadUs: 500, responses: 1 });
    expect(first.samples).toHaveLength(1);

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
      checks: 0,
      timings: emptyTimings(),
      samples: [],
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
    r.recordChecks(1);
    r.recordTimings(10.5, 3.25);
    r.recordConnect(7.4, 0);
    r.addSample('dns', 'GET http://nowhere.invalid/', null, 'getaddrinfo ENOTFOUND nowhere.invalid', 1.7e12 + 0.4);
    const d = r.swap();
    const round = JSON.parse(JSON.stringify(d)) as StepIntervalData;
    expect(round).toEqual(d);
    expect(decodeHistogram(round.latency).totalCount).toBe(2);
    // and valid against the snapshot contract
    expect(stepSnapshotSchema.parse(round)).toEqual(round);
  });

  it('isFailureKind recognises exactly the known kinds', () => {
    for (const k of FAILURE_KINDS) expect(isFailureKind(k)).toBe(true);
    expect(isFailureKind('nope')).toBe(false);
    expect(isFailureKind(3)).toBe(false);
    expect(FAILURE_KINDS).toEqual([
      'timeout', 'connect_refused', 'connect_reset', 'dns', 'tls',
      'http_4xx', 'http_5xx', 'check_failed', 'extract_failed', 'dropped', 'other',
    ]);
  });

  describe('streamed steps', () => {
    it('records time to first event apart from latency, events and token sums, per interval', () => {
      const r = new StepRecorder('chat', { streamed: true });
      r.recordStream(40_000, 12);
      r.recordStream(60_000, 8);
      r.recordStream(-1, 0); // a stream that sent nothing
      r.recordTokens('total_tokens', 15);
      r.recordTokens('total_tokens', 5);
      r.recordTokens('prompt_tokens', 0);
      const d = r.swap();
      expect(d.stream).toMatchObject({ responses: 3, events: 20, tokens: { total_tokens: 20 } });
      const h = decodeHistogram(d.stream!.firstEvent);
      expect(h.totalCount).toBe(2);
      expect(h.maxValue).toBeGreaterThanOrEqual(59_000);
      expect(r.swap().stream).toMatchObject({ responses: 0, events: 0, tokens: {} });
    });

    it('a step that is not streamed carries no stream data', () => {
      expect(new StepRecorder('s').swap().stream).toBeUndefined();
    });
  });

  describe('checks, timings and failure samples', () => {
    it('keeps MAX_SAMPLES_PER_KIND equal to the contract\'s', () => {
      expect(MAX_SAMPLES_PER_KIND).toBe(CONTRACT_MAX_SAMPLES);
      expect(MAX_SAMPLES_PER_KIND).toBe(3);
      expect(MAX_SAMPLE_TEXT).toBe(300);
    });

    it('counts evaluated checks; nothing for 0, negative or NaN', () => {
      const r = new StepRecorder('s');
      r.recordChecks(3);
      r.recordChecks(1);
      r.recordChecks(0);
      r.recordChecks(-2);
      r.recordChecks(Number.NaN);
      r.recordChecks(2);
      expect(r.swap().checks).toBe(6);
      expect(r.swap().checks).toBe(0);
    });

    it('checks are independent of requests and failed checks', () => {
      const r = new StepRecorder('s');
      r.recordChecks(2);
      r.recordCheckFailure('a');
      const d = r.swap();
      expect(d.checks).toBe(2);
      expect(d.failedChecks).toEqual({ a: 1 });
      expect(d.requests).toBe(0);
    });

    it('sums first-byte and download times and counts responses', () => {
      const r = new StepRecorder('s');
      r.recordTimings(1000, 200);
      r.recordTimings(3000, 0);
      r.recordTimings(500, 800);
      expect(r.swap().timings).toEqual({ connectUs: 0, tlsUs: 0, connections: 0, firstByteUs: 4500, downloadUs: 1000, responses: 3 });
    });

    it('sums connect and TLS times and counts connections', () => {
      const r = new StepRecorder('s');
      r.recordConnect(250, 0);
      r.recordConnect(300, 1200);
      expect(r.swap().timings).toEqual({ connectUs: 550, tlsUs: 1200, connections: 2, firstByteUs: 0, downloadUs: 0, responses: 0 });
    });

    it('sums fractional microseconds exactly and rounds the sum once, in swap', () => {
      const r = new StepRecorder('s');
      for (let i = 0; i < 10; i++) r.recordTimings(0.4, 1.25);
      for (let i = 0; i < 4; i++) r.recordConnect(0.3, 0.6);
      const t = r.swap().timings;
      // rounding each value first would give 0 and 10
      expect(t.firstByteUs).toBe(4);
      expect(t.downloadUs).toBe(13); // 12.5 rounds up
      expect(t.connectUs).toBe(1);
      expect(t.tlsUs).toBe(2);
      for (const k of Object.keys(t) as (keyof TimingSums)[]) expect(Number.isInteger(t[k])).toBe(true);
    });

    it('a negative or NaN duration adds nothing but still counts its response or connection', () => {
      const r = new StepRecorder('s');
      r.recordTimings(-5, Number.NaN);
      r.recordTimings(Number.NaN, -1);
      r.recordConnect(-1, Number.NaN);
      r.recordTimings(10, 20);
      expect(r.swap().timings).toEqual({ connectUs: 0, tlsUs: 0, connections: 1, firstByteUs: 10, downloadUs: 20, responses: 3 });
    });

    it('timings do not count requests, successes or bytes', () => {
      const r = new StepRecorder('s');
      r.recordTimings(10, 20);
      r.recordConnect(10, 20);
      const d = r.swap();
      expect(d.requests).toBe(0);
      expect(d.successes).toBe(0);
      expect(d.bytesIn).toBe(0);
      expect(summarizeEncoded(d.latency).count).toBe(0);
    });

    it('keeps the first MAX_SAMPLES_PER_KIND samples of every kind, each kind on its own', () => {
      const r = new StepRecorder('s');
      const expected: FailureSampleData[] = [];
      for (let round = 0; round < 5; round++) {
        for (const kind of FAILURE_KINDS) {
          const keep = round < MAX_SAMPLES_PER_KIND;
          expect(r.wantsSample(kind)).toBe(keep);
          const sample = { kind, request: `GET http://h/${kind}/${round}`, status: kind.startsWith('http') ? 503 : null, message: `${kind} #${round}`, at: 1000 + round };
          r.addSample(kind, sample.request, sample.status, sample.message, sample.at);
          if (keep) expected.push(sample);
        }
      }
      for (const kind of FAILURE_KINDS) expect(r.wantsSample(kind)).toBe(false);
      const d = r.swap();
      expect(d.samples).toEqual(expected); // in recording order, the first ones of each kind
      expect(d.samples).toHaveLength(FAILURE_KINDS.length * MAX_SAMPLES_PER_KIND);
      for (const kind of FAILURE_KINDS) {
        expect(d.samples.filter((x) => x.kind === kind).map((x) => x.message)).toEqual(['#0', '#1', '#2'].map((n) => `${kind} ${n}`));
      }
    });

    it('a full kind does not stop another kind', () => {
      const r = new StepRecorder('s');
      for (let i = 0; i < 10; i++) r.addSample('timeout', 'GET http://h/', null, 't', 1);
      expect(r.wantsSample('timeout')).toBe(false);
      expect(r.wantsSample('http_5xx')).toBe(true);
      r.addSample('http_5xx', 'GET http://h/', 500, 'HTTP 500', 2);
      const d = r.swap();
      expect(d.samples.map((x) => x.kind)).toEqual(['timeout', 'timeout', 'timeout', 'http_5xx']);
    });

    it('unknown kinds are sampled as other, sharing its cap', () => {
      const r = new StepRecorder('s');
      r.addSample('other', 'GET http://h/1', null, 'a', 1);
      r.addSample('bogus' as FailureKind, 'GET http://h/2', null, 'b', 2);
      expect(r.wantsSample('other')).toBe(true);
      expect(r.wantsSample('weird' as FailureKind)).toBe(true);
      r.addSample('weird' as FailureKind, 'GET http://h/3', null, 'c', 3);
      expect(r.wantsSample('other')).toBe(false);
      expect(r.wantsSample('bogus' as FailureKind)).toBe(false);
      r.addSample('other', 'GET http://h/4', null, 'd', 4);
      expect(r.swap().samples.map((x) => [x.kind, x.message])).toEqual([['other', 'a'], ['other', 'b'], ['other', 'c']]);
    });

    it('sampling does not count failures (the caller records them)', () => {
      const r = new StepRecorder('s');
      r.addSample('timeout', 'GET http://h/', null, 't', 1);
      const d = r.swap();
      expect(d.failures).toBe(0);
      expect(d.requests).toBe(0);
      expect(d.failureKinds).toEqual({});
    });

    it('swap resets the caps and hands over the samples; later samples never reach them', () => {
      const r = new StepRecorder('s');
      for (let i = 0; i < 4; i++) r.addSample('http_4xx', `GET http://h/${i}`, 404, 'HTTP 404', i + 1);
      const first = r.swap();
      expect(first.samples.map((x) => x.request)).toEqual(['GET http://h/0', 'GET http://h/1', 'GET http://h/2']);
      expect(r.wantsSample('http_4xx')).toBe(true);
      const empty = r.swap();
      expect(empty.samples).toEqual([]);
      r.addSample('http_4xx', 'GET http://h/next', 404, 'HTTP 404', 9);
      expect(first.samples).toHaveLength(3);
      expect(empty.samples).toEqual([]); // a returned empty array is not reused either
      const third = r.swap();
      expect(third.samples.map((x) => x.request)).toEqual(['GET http://h/next']);
      expect(third.samples).not.toBe(first.samples);
    });

    it('cuts request and message to 300 code units, never inside a surrogate pair', () => {
      const r = new StepRecorder('s');
      const long = `GET http://h/${'a'.repeat(400)}`;
      r.addSample('other', long, null, 'm'.repeat(301), 1);
      // an emoji (2 code units) straddling the limit is dropped whole
      const straddle = 'x'.repeat(299) + '\u{1F600}' + 'y';
      r.addSample('other', straddle, null, straddle, 2);
      const exact = 'z'.repeat(300);
      r.addSample('other', exact, null, 'short', 3);
      const [a, b, c] = r.swap().samples;
      expect(a.request).toBe(long.slice(0, 300));
      expect(a.message).toBe('m'.repeat(300));
      expect(b.request).toBe('x'.repeat(299));
      expect(b.message).toBe('x'.repeat(299));
      expect(c.request).toBe(exact);
      expect(c.message).toBe('short');
    });

    it('stores status only as an integer 0–999, else null; at as whole ms ≥ 0', () => {
      const r = new StepRecorder('s');
      const statuses = [404, 0, 999, 1000, -1, 200.5, Number.NaN, null];
      for (const st of statuses) r.addSample('check_failed', 'GET http://h/', st, 'c', 1.7e12 + 0.6);
      r.addSample('timeout', 'GET http://h/', null, 't', -5);
      r.addSample('timeout', 'GET http://h/', null, 't', Number.NaN);
      r.addSample('timeout', 'GET http://h/', null, 't', 1234.4);
      const d = r.swap();
      // only the first three check_failed samples are kept
      expect(d.samples.filter((x) => x.kind === 'check_failed').map((x) => x.status)).toEqual([404, 0, 999]);
      expect(d.samples.filter((x) => x.kind === 'check_failed').map((x) => x.at)).toEqual([1.7e12 + 1, 1.7e12 + 1, 1.7e12 + 1]);
      expect(d.samples.filter((x) => x.kind === 'timeout').map((x) => x.at)).toEqual([0, 0, 1234]);
      const r2 = new StepRecorder('s');
      r2.addSample('http_5xx', 'GET http://h/', 1000, 'x', 1);
      r2.addSample('http_5xx', 'GET http://h/', -1, 'x', 1);
      r2.addSample('http_5xx', 'GET http://h/', 200.5, 'x', 1);
      r2.addSample('http_4xx', 'GET http://h/', Number.NaN, 'x', 1);
      expect(r2.swap().samples.map((x) => x.status)).toEqual([null, null, null, null]);
    });

    it('a full interval of everything validates against the snapshot contract', () => {
      const r = new StepRecorder('s');
      for (const kind of FAILURE_KINDS) for (let i = 0; i < 5; i++) r.addSample(kind, 'P'.repeat(500), i, 'M'.repeat(500), 1.7e12 + i / 3);
      r.recordTimings(0.3, 0.3);
      r.recordConnect(1.5, 2.5);
      r.recordChecks(3);
      const d = JSON.parse(JSON.stringify(r.swap())) as StepIntervalData;
      expect(() => stepSnapshotSchema.parse(d)).not.toThrow();
      expect(d.samples.length).toBeLessThanOrEqual(50);
    });

    it('keeps its numeric counters in the one Float64Array (no new fields after construction)', () => {
      const r = new StepRecorder('s');
      const keys = Object.keys(r).sort();
      const before = (r as unknown as { c: Float64Array }).c;
      r.recordChecks(1);
      r.recordTimings(1, 2);
      r.recordConnect(3, 4);
      r.wantsSample('timeout');
      r.addSample('timeout', 'GET http://h/', null, 't', 1);
      expect(Object.keys(r).sort()).toEqual(keys);
      expect(before).toBeInstanceOf(Float64Array);
      expect((r as unknown as { c: Float64Array }).c).toBe(before);
      expect(Array.from(before).filter((x) => x !== 0).length).toBeGreaterThanOrEqual(8);
      r.swap();
      expect(Array.from(before).every((x) => x === 0)).toBe(true);
    });
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
      { weight: 1, arbitrary: fc.record({ t: fc.constant('checks' as const), n: fc.nat(5) }) },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('timings' as const), fb: fc.nat(100_000), dl: fc.nat(100_000) }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant('connect' as const), cn: fc.nat(100_000), tls: fc.nat(100_000) }) },
      { weight: 3, arbitrary: fc.record({ t: fc.constant('sample' as const), kind, status: fc.option(fc.constantFrom(404, 503), { nil: null }), n: fc.nat(1000) }) },
      { weight: 1, arbitrary: fc.record({ t: fc.constant('swap' as const) }) },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 150 }), (events) => {
        const r = new StepRecorder('m');
        const fresh = () => ({
          requests: 0, successes: 0, failures: 0, bytesIn: 0, bytesOut: 0,
          kinds: {} as Record<string, number>, statuses: {} as Record<string, number>,
          checks: {} as Record<string, number>, lat: [] as number[], svc: [] as number[],
          evaluated: 0, timings: emptyTimings(), samples: [] as FailureSampleData[],
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
            checks: m.evaluated,
            timings: m.timings,
            samples: m.samples,
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
            case 'checks':
              r.recordChecks(e.n);
              m.evaluated += e.n;
              break;
            case 'timings':
              r.recordTimings(e.fb, e.dl);
              m.timings.firstByteUs += e.fb;
              m.timings.downloadUs += e.dl;
              m.timings.responses++;
              break;
            case 'connect':
              r.recordConnect(e.cn, e.tls);
              m.timings.connectUs += e.cn;
              m.timings.tlsUs += e.tls;
              m.timings.connections++;
              break;
            case 'sample': {
              const wanted = m.samples.filter((x) => x.kind === e.kind).length < MAX_SAMPLES_PER_KIND;
              expect(r.wantsSample(e.kind)).toBe(wanted);
              const sample = { kind: e.kind, request: `GET http://h/${e.n}`, status: e.status, message: `m${e.n}`, at: 1000 + e.n };
              r.addSample(e.kind, sample.request, sample.status, sample.message, sample.at);
              if (wanted) m.samples.push(sample);
              break;
            }
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
