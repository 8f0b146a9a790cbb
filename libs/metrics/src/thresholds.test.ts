import fc from 'fast-check';
import {
  evaluateThreshold,
  formatThreshold,
  parseThreshold,
  parseThresholds,
  shouldAbort,
  THRESHOLD_METRICS,
  THRESHOLD_OPS,
  type ObservedNumbers,
  type ParsedThreshold,
  type ThresholdDefinition,
  type ThresholdEntry,
  type ThresholdMetric,
  type ThresholdOp,
} from './thresholds.js';

const SHAPE_HINT = 'expected "<metric> <op> <number>", e.g. "p95 < 250"';
const METRIC_HINT =
  "use one of p50, p75, p90, p95, p99, p999, mean, min, max, errorRate, rps, checks, count (or k6's avg, med, p(95), p(99.9))";

/** The parsed threshold, or the test fails with the parser's message. */
function parsed(expression: string): ParsedThreshold {
  const r = parseThreshold(expression);
  if (!r.ok) throw new Error(`"${expression}" did not parse: ${r.error}`);
  return r.value;
}

function errorOf(expression: string): string {
  const r = parseThreshold(expression);
  return r.ok ? `parsed as ${JSON.stringify(r.value)}` : r.error;
}

const observed = (over: Partial<ObservedNumbers> = {}): ObservedNumbers => ({
  p50: 50,
  p75: 75,
  p90: 90,
  p95: 95,
  p99: 99,
  p999: 99.9,
  mean: 40,
  min: 1,
  max: 120,
  errorRate: 0.02,
  rps: 300,
  checks: 0.97,
  count: 1000,
  ...over,
});

const definition = (over: Partial<ThresholdDefinition> = {}): ThresholdDefinition => ({
  ...parsed('p95 < 250'),
  scenario: null,
  step: null,
  abortOnFail: false,
  delayAbortEvalMs: 0,
  ...over,
});

describe('parseThreshold', () => {
  it('parses every canonical metric', () => {
    for (const metric of THRESHOLD_METRICS) {
      const value = metric === 'errorRate' || metric === 'checks' ? 0.5 : 250;
      expect(parsed(`${metric} < ${value}`)).toEqual({ expression: `${metric} < ${value}`, metric, op: '<', value });
    }
  });

  it("normalises k6's aliases", () => {
    const cases: [string, ThresholdMetric][] = [
      ['avg', 'mean'],
      ['med', 'p50'],
      ['p(50)', 'p50'],
      ['p(75)', 'p75'],
      ['p(90)', 'p90'],
      ['p(95)', 'p95'],
      ['p(99)', 'p99'],
      ['p(99.9)', 'p999'],
      ['p(95.0)', 'p95'],
      ['p( 99.90 )', 'p999'],
    ];
    for (const [written, metric] of cases) expect(parsed(`${written} < 3`).metric).toBe(metric);
  });

  it('parses every operator, with or without spaces', () => {
    for (const op of THRESHOLD_OPS) {
      expect(parsed(`p95 ${op} 3`).op).toBe(op);
      expect(parsed(`p(95)${op}3`).op).toBe(op);
      expect(parsed(`  max\t${op}   3  `)).toEqual({ expression: `max\t${op}   3`, metric: 'max', op, value: 3 });
    }
  });

  it('reads finite decimals, negative and in exponent form', () => {
    expect(parsed('p95 < 250').value).toBe(250);
    expect(parsed('p95 < 0.5').value).toBe(0.5);
    expect(parsed('p95 < .5').value).toBe(0.5);
    expect(parsed('p95 < 5.').value).toBe(5);
    expect(parsed('p95 < +5').value).toBe(5);
    expect(parsed('min > -5').value).toBe(-5);
    expect(parsed('count < 1e3').value).toBe(1000);
    expect(parsed('count < 1.5E-3').value).toBe(0.0015);
    expect(parsed('errorRate <= 0').value).toBe(0);
    expect(parsed('errorRate <= -0').value === 0).toBe(true); // -0 is a ratio of 0
    expect(formatThreshold(parsed('min > -0'))).toBe('min > 0');
    expect(parsed('checks >= 1').value).toBe(1);
  });

  it('says what shape to write', () => {
    for (const bad of ['', '   ', 'p95', 'p95 <', '< 250', 'p95 250', 'p 95 < 3', 'http_req_duration p(95) < 200', '(p95) < 3']) {
      expect(errorOf(bad)).toBe(SHAPE_HINT);
    }
    expect(errorOf(undefined as unknown as string)).toBe(SHAPE_HINT);
  });

  it('names an unknown metric and lists the known ones', () => {
    expect(errorOf('p42 < 3')).toBe(`unknown metric "p42": ${METRIC_HINT}`);
    expect(errorOf('p(42) < 3')).toBe(`unknown metric "p(42)": ${METRIC_HINT}`);
    expect(errorOf('p(100) < 3')).toBe(`unknown metric "p(100)": ${METRIC_HINT}`);
    expect(errorOf('latency < 3')).toBe(`unknown metric "latency": ${METRIC_HINT}`);
    expect(errorOf('rate < 0.1')).toBe(`unknown metric "rate": ${METRIC_HINT}`);
    expect(errorOf('constructor < 3')).toBe(`unknown metric "constructor": ${METRIC_HINT}`);
    expect(errorOf('__proto__ < 3')).toBe(`unknown metric "__proto__": ${METRIC_HINT}`);
  });

  it('suggests the metric a near miss meant', () => {
    expect(errorOf('P95 < 3')).toBe(`unknown metric "P95": ${METRIC_HINT} (did you mean "p95"?)`);
    expect(errorOf('errorrate < 0.1')).toBe(`unknown metric "errorrate": ${METRIC_HINT} (did you mean "errorRate"?)`);
    expect(errorOf('AVG < 3')).toBe(`unknown metric "AVG": ${METRIC_HINT} (did you mean "avg"?)`);
    expect(errorOf('P(99.9) < 3')).toBe(`unknown metric "P(99.9)": ${METRIC_HINT} (did you mean "p999"?)`);
    expect(errorOf('p99.9 < 3')).toBe(`unknown metric "p99.9": ${METRIC_HINT} (did you mean "p999"?)`);
  });

  it('names an unknown operator', () => {
    for (const op of ['=', '=<', '=>', '<>', '!', '===', '<<']) {
      expect(errorOf(`p95 ${op} 3`)).toBe(`unknown operator "${op}": use one of <, <=, >, >=, ==, !=`);
    }
  });

  it('refuses a value that is not a finite decimal', () => {
    for (const bad of ['abc', 'NaN', 'Infinity', '-Infinity', '1e999', '0x10', '250ms', '5%', '1_000', '3 4', '= 3', '1e', '.']) {
      expect(errorOf(`p95 < ${bad}`)).toBe(
        `threshold value "${bad}" is not a finite number (latencies are in ms, errorRate and checks are ratios between 0 and 1)`,
      );
    }
  });

  it('refuses a ratio outside [0, 1], guessing a percentage', () => {
    expect(errorOf('errorRate < 5')).toBe('errorRate is a ratio between 0 and 1, got 5 (5% is 0.05)');
    expect(errorOf('checks > 99')).toBe('checks is a ratio between 0 and 1, got 99 (99% is 0.99)');
    expect(errorOf('errorRate < -0.1')).toBe('errorRate is a ratio between 0 and 1, got -0.1');
    expect(errorOf('checks > 1000')).toBe('checks is a ratio between 0 and 1, got 1000');
    expect(errorOf('errorRate < 1.0001')).toBe('errorRate is a ratio between 0 and 1, got 1.0001 (1.0001% is 0.010001)');
  });

  it('reports the first problem from the left', () => {
    expect(errorOf('p42 = abc')).toMatch(/^unknown metric "p42"/);
    expect(errorOf('p95 = abc')).toMatch(/^unknown operator "="/);
  });
});

describe('formatThreshold', () => {
  it('writes the canonical form', () => {
    expect(formatThreshold(parsed('p(99.9)<=2000'))).toBe('p999 <= 2000');
    expect(formatThreshold(parsed('avg!=1e21'))).toBe('mean != 1e+21');
    expect(formatThreshold({ metric: 'errorRate', op: '<', value: 0.01 })).toBe('errorRate < 0.01');
  });
});

describe('evaluateThreshold', () => {
  it('reads every metric from the observed numbers', () => {
    const o = observed();
    for (const metric of THRESHOLD_METRICS) {
      expect(evaluateThreshold({ expression: '', metric, op: '<=', value: o[metric] }, o)).toEqual({ observed: o[metric], passed: true });
      expect(evaluateThreshold({ expression: '', metric, op: '<', value: o[metric] }, o)).toEqual({ observed: o[metric], passed: false });
    }
  });

  it('applies every operator', () => {
    const o = observed({ p95: 200 });
    const verdicts = (value: number) => THRESHOLD_OPS.map((op) => evaluateThreshold({ expression: '', metric: 'p95', op, value }, o).passed);
    // ops in order: <  <=  >  >=  ==  !=
    expect(verdicts(250)).toEqual([true, true, false, false, false, true]);
    expect(verdicts(200)).toEqual([false, true, false, true, true, false]);
    expect(verdicts(150)).toEqual([false, false, true, true, false, true]);
  });

  it('judges the normalised metric of an alias', () => {
    const o = observed({ p50: 10, mean: 30 });
    expect(evaluateThreshold(parsed('med < 20'), o)).toEqual({ observed: 10, passed: true });
    expect(evaluateThreshold(parsed('avg < 20'), o)).toEqual({ observed: 30, passed: false });
  });

  it('passes every threshold vacuously when nothing was observed', () => {
    for (const metric of THRESHOLD_METRICS) {
      for (const op of THRESHOLD_OPS) {
        expect(evaluateThreshold({ expression: '', metric, op, value: 0.5 }, null)).toEqual({ observed: null, passed: true });
      }
    }
  });

  it('passes sample metrics vacuously without a request, and judges rps, count and checks on their values', () => {
    const none = observed({ count: 0, rps: 0, errorRate: 0, checks: 1, p95: 0, min: 0 });
    for (const expression of ['p95 < 250', 'min > 5', 'max < 0', 'avg == 3', 'p(99.9) > 1', 'errorRate > 0.5']) {
      expect(evaluateThreshold(parsed(expression), none)).toEqual({ observed: null, passed: true });
    }
    expect(evaluateThreshold(parsed('rps > 100'), none)).toEqual({ observed: 0, passed: false });
    expect(evaluateThreshold(parsed('count > 10'), none)).toEqual({ observed: 0, passed: false });
    expect(evaluateThreshold(parsed('count < 10'), none)).toEqual({ observed: 0, passed: true });
    expect(evaluateThreshold(parsed('checks > 0.9'), none)).toEqual({ observed: 1, passed: true });
  });

  it('fails a comparison with NaN (but != holds), never hiding bad numbers as a pass', () => {
    const o = observed({ p95: Number.NaN });
    expect(evaluateThreshold(parsed('p95 < 250'), o).passed).toBe(false);
    expect(evaluateThreshold(parsed('p95 >= 250'), o).passed).toBe(false);
    expect(evaluateThreshold(parsed('p95 != 250'), o).passed).toBe(true);
  });
});

describe('shouldAbort', () => {
  it('aborts on a breach of an abortOnFail threshold once the delay has passed', () => {
    const t = definition({ abortOnFail: true, delayAbortEvalMs: 10_000 });
    expect(shouldAbort(t, false, 9_999)).toBe(false);
    expect(shouldAbort(t, false, 10_000)).toBe(true);
    expect(shouldAbort(t, false, 60_000)).toBe(true);
    expect(shouldAbort(t, true, 60_000)).toBe(false);
  });

  it('never aborts without abortOnFail', () => {
    expect(shouldAbort(definition({ abortOnFail: false }), false, 1e9)).toBe(false);
  });

  it('aborts at once with no delay', () => {
    expect(shouldAbort(definition({ abortOnFail: true }), false, 0)).toBe(true);
  });
});

describe('parseThresholds', () => {
  const scenarios = { 'http-ok': ['login', 'browse', 'api.v2.get'], checkout: ['pay'], 'v1.2': ['x'], v1: ['2.x', 'y'] };
  const extra = { abortOnFail: false, delayAbortEvalMs: 0 };

  it('resolves "*", a scenario and scenario.step', () => {
    const r = parseThresholds({ '*': ['errorRate < 0.01'], 'http-ok': ['p95 < 250'], 'http-ok.login': ['p(99) < 800'] }, scenarios);
    expect(r.errors).toEqual([]);
    expect(r.thresholds).toEqual([
      { ...parsed('errorRate < 0.01'), scenario: null, step: null, ...extra },
      { ...parsed('p95 < 250'), scenario: 'http-ok', step: null, ...extra },
      { ...parsed('p(99) < 800'), scenario: 'http-ok', step: 'login', ...extra },
    ]);
  });

  it('keeps the dots of a step name after the scenario', () => {
    const r = parseThresholds({ 'http-ok.api.v2.get': ['max < 1000'] }, scenarios);
    expect(r.errors).toEqual([]);
    expect(r.thresholds.map((t) => [t.scenario, t.step])).toEqual([['http-ok', 'api.v2.get']]);
  });

  it('splits after the longest scenario name the key starts with', () => {
    const r = parseThresholds({ 'v1.2': ['p95 < 1'], 'v1.2.x': ['p95 < 2'], 'v1.y': ['p95 < 3'], v1: ['p95 < 4'] }, scenarios);
    expect(r.errors).toEqual([]);
    expect(r.thresholds.map((t) => [t.scenario, t.step])).toEqual([
      ['v1.2', null],
      ['v1.2', 'x'],
      ['v1', 'y'],
      ['v1', null],
    ]);
    // v1's step "2.x" is shadowed by the longer scenario "v1.2": the split is never a guess
    expect(parseThresholds({ 'v1.2.y': ['p95 < 1'] }, scenarios).errors).toEqual([
      { path: 'thresholds.v1.2.y', message: 'unknown step "y" of scenario "v1.2": its steps are x' },
    ]);
  });

  it('reads the long form with its abort options', () => {
    const r = parseThresholds(
      {
        'http-ok': [
          { threshold: 'p95 < 250', abortOnFail: true, delayAbortEvalMs: 10_000 },
          { threshold: 'errorRate < 0.05', abortOnFail: true },
          { threshold: 'rps > 10' },
          'checks > 0.99',
        ],
      },
      scenarios,
    );
    expect(r.errors).toEqual([]);
    expect(r.thresholds.map((t) => [t.expression, t.abortOnFail, t.delayAbortEvalMs])).toEqual([
      ['p95 < 250', true, 10_000],
      ['errorRate < 0.05', true, 0],
      ['rps > 10', false, 0],
      ['checks > 0.99', false, 0],
    ]);
  });

  it('names an unknown scenario and lists the known ones', () => {
    expect(parseThresholds({ 'htp-ok.login': ['p95 < 1'] }, scenarios).errors).toEqual([
      {
        path: 'thresholds.htp-ok.login',
        message: 'unknown scenario "htp-ok.login": use "*" for the whole campaign, a scenario (checkout, http-ok, v1, v1.2) or scenario.step',
      },
    ]);
    expect(parseThresholds({ x: ['p95 < 1'] }, {}).errors).toEqual([
      { path: 'thresholds.x', message: 'unknown scenario "x": use "*" for the whole campaign, a scenario (the campaign has none) or scenario.step' },
    ]);
  });

  it('bounds the list of names in a message', () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`s${String(i).padStart(2, '0')}`, []]));
    const [error] = parseThresholds({ x: ['p95 < 1'] }, many).errors;
    expect(error.message).toBe(
      'unknown scenario "x": use "*" for the whole campaign, a scenario (s00, s01, s02, s03, s04, s05, s06, s07, s08, s09, … (12 in all)) or scenario.step',
    );
  });

  it('names an unknown step and lists the scenario steps', () => {
    expect(parseThresholds({ 'http-ok.logn': ['p95 < 1'], 'http-ok.': ['p95 < 1'] }, scenarios).errors).toEqual([
      { path: 'thresholds.http-ok.logn', message: 'unknown step "logn" of scenario "http-ok": its steps are api.v2.get, browse, login' },
      { path: 'thresholds.http-ok.', message: 'unknown step "" of scenario "http-ok": its steps are api.v2.get, browse, login' },
    ]);
    expect(parseThresholds({ 'a.b': ['p95 < 1'] }, { a: [] }).errors).toEqual([
      { path: 'thresholds.a.b', message: 'unknown step "b" of scenario "a": it has no step' },
    ]);
  });

  it('collects every error, each at its path', () => {
    const r = parseThresholds(
      {
        'http-ok': ['p95 < 250', 'p42 < 3', { threshold: 'errorRate < 5', delayAbortEvalMs: -1 }],
        nope: ['max < 1', 'max <'],
        'checkout.pay': [{ threshold: 'p95 < 1', abortOnFail: 'yes', delayAbortEval: '10s' } as unknown as ThresholdEntry],
        checkout: [{} as ThresholdEntry, { threshold: 5 } as unknown as ThresholdEntry, 42 as unknown as ThresholdEntry, 'rps > 1'],
        '*': 'p95 < 1' as unknown as ThresholdEntry[],
      },
      scenarios,
    );
    expect(r.errors).toEqual([
      { path: 'thresholds.http-ok.1', message: `unknown metric "p42": ${METRIC_HINT}` },
      { path: 'thresholds.http-ok.2.threshold', message: 'errorRate is a ratio between 0 and 1, got 5 (5% is 0.05)' },
      { path: 'thresholds.http-ok.2.delayAbortEvalMs', message: 'delayAbortEvalMs must be >= 0' },
      { path: 'thresholds.nope', message: expect.stringMatching(/^unknown scenario "nope"/) },
      { path: 'thresholds.nope.1', message: SHAPE_HINT },
      { path: 'thresholds.checkout.pay.0.delayAbortEval', message: 'unknown field "delayAbortEval": use threshold, abortOnFail, delayAbortEvalMs (ms)' },
      { path: 'thresholds.checkout.pay.0.abortOnFail', message: 'abortOnFail must be a boolean' },
      { path: 'thresholds.checkout.0.threshold', message: 'threshold is required' },
      { path: 'thresholds.checkout.1.threshold', message: 'threshold must be a string' },
      { path: 'thresholds.checkout.2', message: 'expected an expression string or { threshold, abortOnFail?, delayAbortEvalMs? }' },
      { path: 'thresholds.*', message: 'must be an array of threshold expressions' },
    ]);
    // only the valid entries of valid keys remain
    expect(r.thresholds.map((t) => `${t.scenario}/${t.step}: ${t.expression}`)).toEqual(['http-ok/null: p95 < 250', 'checkout/null: rps > 1']);
  });

  it('refuses a non-finite delay', () => {
    const bad = [Number.NaN, Number.POSITIVE_INFINITY, '10s', null];
    const r = parseThresholds({ checkout: bad.map((d) => ({ threshold: 'p95 < 1', delayAbortEvalMs: d }) as unknown as ThresholdEntry) }, scenarios);
    expect(r.errors).toEqual(bad.map((_, i) => ({ path: `thresholds.checkout.${i}.delayAbortEvalMs`, message: 'delayAbortEvalMs must be a number (ms)' })));
    expect(r.thresholds).toEqual([]);
  });

  it('takes prototype names as plain keys, on both sides', () => {
    const input = JSON.parse('{"__proto__": ["p95 < 1"], "constructor": ["p95 < 2"], "toString.x": ["p95 < 3"]}') as Record<string, string[]>;
    expect(parseThresholds(input, {}).errors.map((e) => e.path)).toEqual(['thresholds.__proto__', 'thresholds.constructor', 'thresholds.toString.x']);
    const known = JSON.parse('{"__proto__": ["x"], "constructor": []}') as Record<string, string[]>;
    const r = parseThresholds(input, known);
    expect(r.errors).toEqual([{ path: 'thresholds.toString.x', message: expect.stringMatching(/^unknown scenario/) }]);
    expect(r.thresholds.map((t) => t.scenario)).toEqual(['__proto__', 'constructor']);
  });

  it('survives input that is not the declared shape', () => {
    for (const input of [null, undefined, 42, 'p95 < 1', ['p95 < 1']]) {
      expect(parseThresholds(input as never, scenarios)).toEqual({
        thresholds: [],
        errors: [{ path: 'thresholds', message: 'thresholds must be an object keyed by "*", scenario or scenario.step' }],
      });
    }
    expect(parseThresholds({ a: ['p95 < 1'] }, null as never).errors).toHaveLength(1);
    expect(parseThresholds({ 'a.b': ['p95 < 1'] }, { a: 'b' as never }).errors).toHaveLength(1);
  });

  it('accepts an empty record and empty lists', () => {
    expect(parseThresholds({}, scenarios)).toEqual({ thresholds: [], errors: [] });
    expect(parseThresholds({ 'http-ok': [] }, scenarios)).toEqual({ thresholds: [], errors: [] });
  });
});

// ---------------------------------------------------------------------------------------
// Properties

const metricArb = fc.constantFrom(...THRESHOLD_METRICS);
const opArb = fc.constantFrom(...THRESHOLD_OPS);
const finiteArb = fc.double({ noNaN: true, noDefaultInfinity: true });
const ratioArb = fc.double({ min: 0, max: 1, noNaN: true });
const isRatio = (m: ThresholdMetric) => m === 'errorRate' || m === 'checks';
/** Any metric with a value it accepts. */
const thresholdArb = metricArb.chain((metric) =>
  fc.record({ metric: fc.constant(metric), op: opArb, value: isRatio(metric) ? ratioArb : finiteArb }),
);

// The comparisons restated through the sign of the difference (exact for finite doubles:
// a - b is 0 only when a == b, and overflow keeps the sign), not through the operators.
const sign = (a: number, b: number) => Math.sign(a - b);
const MODEL: Record<ThresholdOp, (a: number, b: number) => boolean> = {
  '<': (a, b) => sign(a, b) === -1,
  '<=': (a, b) => sign(a, b) !== 1,
  '>': (a, b) => sign(a, b) === 1,
  '>=': (a, b) => sign(a, b) !== -1,
  '==': (a, b) => sign(a, b) === 0,
  '!=': (a, b) => sign(a, b) !== 0,
};

describe('properties', () => {
  it('parseThreshold(formatThreshold(t)) round-trips every metric, op and number', () => {
    fc.assert(
      fc.property(thresholdArb, (t) => {
        const text = formatThreshold(t);
        const r = parsed(text);
        expect(r.metric).toBe(t.metric);
        expect(r.op).toBe(t.op);
        expect(r.value === t.value).toBe(true); // -0 is written "0": equal, not Object.is
        expect(r.expression).toBe(text);
        expect(formatThreshold(r)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips with any spacing and the k6 spellings', () => {
    const spelling: Record<ThresholdMetric, string[]> = {
      p50: ['p50', 'med', 'p(50)'],
      p75: ['p75', 'p(75)'],
      p90: ['p90', 'p(90)'],
      p95: ['p95', 'p(95)'],
      p99: ['p99', 'p(99)'],
      p999: ['p999', 'p(99.9)'],
      mean: ['mean', 'avg'],
      min: ['min'],
      max: ['max'],
      errorRate: ['errorRate'],
      rps: ['rps'],
      checks: ['checks'],
      count: ['count'],
    };
    const space = fc.constantFrom('', ' ', '  ', '\t');
    fc.assert(
      fc.property(thresholdArb, fc.nat(), space, space, space, space, (t, pick, s1, s2, s3, s4) => {
        const names = spelling[t.metric];
        const r = parsed(`${s1}${names[pick % names.length]}${s2}${t.op}${s3}${String(t.value)}${s4}`);
        expect([r.metric, r.op, r.value === t.value]).toEqual([t.metric, t.op, true]);
      }),
    );
  });

  it('evaluation agrees with the comparison it names', () => {
    fc.assert(
      fc.property(thresholdArb, finiteArb, fc.integer({ min: 1, max: 1e9 }), (t, value, count) => {
        const numbers = observed({ [t.metric]: value, count: t.metric === 'count' ? value : count });
        const result = evaluateThreshold({ ...t, expression: formatThreshold(t) }, numbers);
        expect(result.observed).toBe(numbers[t.metric]);
        expect(result.passed).toBe(MODEL[t.op](numbers[t.metric], t.value));
      }),
      { numRuns: 500 },
    );
  });

  it('the sample metrics pass without a request; rps, count and checks are still judged', () => {
    fc.assert(
      fc.property(thresholdArb, finiteArb, (t, value) => {
        const numbers = observed({ [t.metric]: value, count: 0 });
        const result = evaluateThreshold({ ...t, expression: '' }, numbers);
        if (['rps', 'count', 'checks'].includes(t.metric)) {
          expect(result).toEqual({ observed: numbers[t.metric], passed: MODEL[t.op](numbers[t.metric], t.value) });
        } else {
          expect(result).toEqual({ observed: null, passed: true });
        }
      }),
    );
  });

  it('errorRate and checks outside [0, 1] are always refused', () => {
    const outside = finiteArb.filter((v) => v < 0 || v > 1);
    fc.assert(
      fc.property(fc.constantFrom('errorRate', 'checks'), opArb, outside, (metric, op, value) => {
        const r = parseThreshold(`${metric} ${op} ${String(value)}`);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.startsWith(`${metric} is a ratio between 0 and 1, got ${value}`)).toBe(true);
      }),
    );
  });

  it('parseThreshold never throws and either parses or explains', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('p', '(', ')', '9', '.', ' ', '<', '=', '!', '>', 'e', '-') })), (text) => {
        const r = parseThreshold(text);
        if (!r.ok) return void expect(r.error.length).toBeGreaterThan(0);
        const again = parsed(formatThreshold(r.value));
        expect([again.metric, again.op, again.value === r.value.value]).toEqual([r.value.metric, r.value.op, true]);
      }),
      { numRuns: 500 },
    );
  });

  it('parseThresholds never throws on arbitrary keys: one error per unresolved key', () => {
    const known = { 'http-ok': ['login'], checkout: [] };
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.constant(['p95 < 250'])), (input) => {
        const r = parseThresholds(input, known);
        const keys = Object.keys(input);
        const good = keys.filter((k) => ['*', 'http-ok', 'http-ok.login', 'checkout'].includes(k));
        expect(r.thresholds).toHaveLength(good.length);
        expect(r.errors.map((e) => e.path).sort()).toEqual(keys.filter((k) => !good.includes(k)).map((k) => `thresholds.${k}`).sort());
      }),
    );
  });

  it('parseThresholds never throws on anything', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (input, scenarios) => {
        const r = parseThresholds(input as never, scenarios as never);
        expect(Array.isArray(r.thresholds) && Array.isArray(r.errors)).toBe(true);
      }),
    );
  });

  it('parseThresholds reports exactly one error per bad entry, at its path', () => {
    type Case = { entry: unknown; fault: string | null };
    const good: fc.Arbitrary<Case> = fc.oneof(
      thresholdArb.map((t) => ({ entry: formatThreshold(t), fault: null })),
      fc
        .record({ t: thresholdArb, abortOnFail: fc.option(fc.boolean(), { nil: undefined }), delay: fc.option(fc.nat(), { nil: undefined }) })
        .map(({ t, abortOnFail, delay }) => ({
          entry: { threshold: formatThreshold(t), ...(abortOnFail === undefined ? {} : { abortOnFail }), ...(delay === undefined ? {} : { delayAbortEvalMs: delay }) },
          fault: null,
        })),
    );
    const bad: fc.Arbitrary<Case> = fc.oneof(
      fc.constantFrom('p42 < 1', 'p95 <', 'p95 => 1', 'p95 < fast', 'errorRate < 2', 'checks > -1').map((e) => ({ entry: e, fault: '' })),
      fc.constantFrom('p42 < 1', 'errorRate < 2').map((e) => ({ entry: { threshold: e }, fault: '.threshold' })),
      fc.integer({ min: -1e6, max: -1 }).map((d) => ({ entry: { threshold: 'p95 < 1', delayAbortEvalMs: d }, fault: '.delayAbortEvalMs' })),
      fc.constant({ entry: { threshold: 'p95 < 1', abortOnFail: 1 }, fault: '.abortOnFail' }),
      fc.constant({ entry: { threshold: 'p95 < 1', abortOnfail: true }, fault: '.abortOnfail' }),
      fc.constant({ entry: {}, fault: '.threshold' }),
      fc.constantFrom(null, 3, true, ['p95 < 1']).map((e) => ({ entry: e, fault: '' })),
    );
    const keys = fc.constantFrom('*', 'http-ok', 'http-ok.login', 'http-ok.api.v2', 'checkout');
    const scenarios = { 'http-ok': ['login', 'api.v2'], checkout: [] };
    fc.assert(
      fc.property(fc.dictionary(keys, fc.array(fc.oneof(good, bad), { maxLength: 6 })), (cases) => {
        const input = Object.fromEntries(Object.entries(cases).map(([k, list]) => [k, list.map((c) => c.entry)]));
        const r = parseThresholds(input as Record<string, ThresholdEntry[]>, scenarios);
        const expected = Object.entries(cases).flatMap(([k, list]) =>
          list.flatMap((c, i) => (c.fault === null ? [] : [`thresholds.${k}.${i}${c.fault}`])),
        );
        expect(r.errors.map((e) => e.path)).toEqual(expected);
        const goodCount = Object.values(cases).flat().filter((c) => c.fault === null).length;
        expect(r.thresholds).toHaveLength(goodCount);
      }),
    );
  });
});
