/**
 * Campaign thresholds (docs/metrics.md#thresholds), k6's semantics adapted to Barrage's numbers: expressions
 * `<metric> <op> <number>` attached to the whole campaign (`"*"`), a scenario or a
 * `scenario.step`, judged against observed numbers at each interval and at the end, and the
 * decision to abort a campaign whose `abortOnFail` threshold is breached. Pure: the head
 * gathers the numbers and acts on the verdicts.
 */

import type { LatencySummary } from './summary.js';

/** The metrics a threshold may name, normalised (`avg` → mean, `med` and `p(50)` → p50). */
export const THRESHOLD_METRICS = [
  'p50',
  'p75',
  'p90',
  'p95',
  'p99',
  'p999',
  'mean',
  'min',
  'max',
  'errorRate',
  'rps',
  'checks',
  'count',
] as const;

export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

export const THRESHOLD_OPS = ['<', '<=', '>', '>=', '==', '!='] as const;

export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

/** One parsed expression. Latencies are in ms; errorRate and checks are ratios in [0, 1]. */
export interface ParsedThreshold {
  /** The expression as written (trimmed), for reports. */
  expression: string;
  metric: ThresholdMetric;
  op: ThresholdOp;
  value: number;
}

/** A threshold of a campaign, with what it applies to and k6's abort options. */
export interface ThresholdDefinition extends ParsedThreshold {
  /** null: the whole campaign (`"*"`). */
  scenario: string | null;
  /** null: every step of `scenario` (or of the campaign). */
  step: string | null;
  abortOnFail: boolean;
  /** Breaches before this many ms of the campaign never abort it (k6's `delayAbortEval`). */
  delayAbortEvalMs: number;
}

/** k6's short form (an expression) or long form (an object with abort options). */
export type ThresholdEntry = string | { threshold: string; abortOnFail?: boolean; delayAbortEvalMs?: number };

export type ParseThresholdResult = { ok: true; value: ParsedThreshold } | { ok: false; error: string };

/** A problem in a campaign's `thresholds`, at a dotted path such as `thresholds.http-ok.1`. */
export interface ThresholdError {
  path: string;
  message: string;
}

/** The numbers a threshold is judged on, for one interval or the whole run of a target. */
export interface ObservedNumbers extends Omit<LatencySummary, 'count' | 'stdDev'> {
  /** Failed requests / requests, in [0, 1]. */
  errorRate: number;
  rps: number;
  /** Pass ratio of the checks evaluated; 1 when no check was evaluated. */
  checks: number;
  /** Requests (every attempt, failures included). */
  count: number;
}

// Every accepted spelling → its metric. A Map, so that `constructor` or `__proto__` is no metric.
const METRIC_NAMES: ReadonlyMap<string, ThresholdMetric> = new Map<string, ThresholdMetric>([
  ...THRESHOLD_METRICS.map((m): [string, ThresholdMetric] => [m, m]),
  ['avg', 'mean'],
  ['med', 'p50'],
]);

// k6's `p(N)`: only the percentiles Barrage summarises (libs/metrics summary.ts) can be judged.
const PERCENTILES: ReadonlyMap<number, ThresholdMetric> = new Map<number, ThresholdMetric>([
  [50, 'p50'],
  [75, 'p75'],
  [90, 'p90'],
  [95, 'p95'],
  [99, 'p99'],
  [99.9, 'p999'],
]);

const OPS: ReadonlySet<string> = new Set(THRESHOLD_OPS);
const RATIOS: ReadonlySet<ThresholdMetric> = new Set<ThresholdMetric>(['errorRate', 'checks']);

const SHAPE_HINT = 'expected "<metric> <op> <number>", e.g. "p95 < 250"';
const METRIC_HINT = `use one of ${THRESHOLD_METRICS.join(', ')} (or k6's avg, med, p(95), p(99.9))`;

// A metric token (no operator character, no space), possibly k6's `p(…)`, then an operator
// run and whatever follows: each part is checked on its own so the message names the bad one.
const SHAPE = /^([^\s<>=!()]+(?:\([^()]*\))?)\s*([<>=!]+)\s*(\S[\s\S]*)$/;
const K6_PERCENTILE = /^p\(\s*(\d+(?:\.\d+)?)\s*\)$/;
const BARE_PERCENTILE = /^p(\d+(?:\.\d+)?)$/i;
// A finite decimal as `String(number)` writes it (exponent included), so formatting round-trips.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** Parses `<metric> <op> <number>`; the error says what to write instead. */
export function parseThreshold(expression: string): ParseThresholdResult {
  if (typeof expression !== 'string') return { ok: false, error: SHAPE_HINT };
  const text = expression.trim();
  const parts = SHAPE.exec(text);
  if (!parts) return { ok: false, error: SHAPE_HINT };
  const [, token, op, valueText] = parts;
  const metric = metricOf(token);
  if (metric === undefined) return { ok: false, error: unknownMetric(token) };
  if (!isOp(op)) return { ok: false, error: `unknown operator "${op}": use one of ${THRESHOLD_OPS.join(', ')}` };
  const value = decimalOf(valueText);
  if (value === undefined) return { ok: false, error: notANumber(valueText) };
  const ratioProblem = ratioError(metric, value);
  if (ratioProblem !== undefined) return { ok: false, error: ratioProblem };
  return { ok: true, value: { expression: text, metric, op, value } };
}

/** The canonical text of a threshold: `parseThreshold(formatThreshold(t))` gives t back. */
export function formatThreshold(t: Pick<ParsedThreshold, 'metric' | 'op' | 'value'>): string {
  return `${t.metric} ${t.op} ${String(t.value)}`;
}

function metricOf(token: string): ThresholdMetric | undefined {
  const k6 = K6_PERCENTILE.exec(token);
  if (k6) return PERCENTILES.get(Number(k6[1]));
  return METRIC_NAMES.get(token);
}

function isOp(op: string): op is ThresholdOp {
  return OPS.has(op);
}

function decimalOf(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined; // 1e999 is a decimal but not a finite one
}

function unknownMetric(token: string): string {
  const guess = nearMetric(token);
  const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
  return `unknown metric "${token}": ${METRIC_HINT}${hint}`;
}

/** The metric a near miss meant: another case (`P95`, `errorrate`) or a bare `p99.9`. */
function nearMetric(token: string): string | undefined {
  const lower = token.toLowerCase();
  for (const name of METRIC_NAMES.keys()) if (name.toLowerCase() === lower) return name;
  const k6 = metricOf(lower);
  if (k6 !== undefined) return k6;
  const bare = BARE_PERCENTILE.exec(token);
  return bare ? PERCENTILES.get(Number(bare[1])) : undefined;
}

function notANumber(text: string): string {
  return `threshold value "${text}" is not a finite number (latencies are in ms, errorRate and checks are ratios between 0 and 1)`;
}

/** A ratio outside [0, 1] can never be what the user meant; 5 most likely meant 5 %. */
function ratioError(metric: ThresholdMetric, value: number): string | undefined {
  if (!RATIOS.has(metric) || (value >= 0 && value <= 1)) return undefined;
  const percent = value > 1 && value <= 100 ? ` (${value}% is ${value / 100})` : '';
  return `${metric} is a ratio between 0 and 1, got ${value}${percent}`;
}

/**
 * Parses a campaign's `thresholds` against its scenarios (name → step names). Every problem
 * is reported, each at its path, so one request shows them all; only valid entries of valid
 * keys become definitions, in input order.
 */
export function parseThresholds(
  input: Readonly<Record<string, readonly ThresholdEntry[]>>,
  scenarios: Readonly<Record<string, readonly string[]>>,
): { thresholds: ThresholdDefinition[]; errors: ThresholdError[] } {
  const thresholds: ThresholdDefinition[] = [];
  const errors: ThresholdError[] = [];
  if (!isRecord(input)) {
    errors.push({ path: 'thresholds', message: 'thresholds must be an object keyed by "*", scenario or scenario.step' });
    return { thresholds, errors };
  }
  const known = indexScenarios(scenarios);
  for (const [key, entries] of Object.entries(input)) {
    const path = `thresholds.${key}`;
    const target = resolveTarget(key, known);
    if ('error' in target) errors.push({ path, message: target.error });
    if (!Array.isArray(entries)) {
      errors.push({ path, message: 'must be an array of threshold expressions' });
      continue;
    }
    entries.forEach((entry: unknown, i) => {
      const parsed = parseEntry(entry, `${path}.${i}`, errors);
      if (parsed !== undefined && !('error' in target)) thresholds.push({ ...parsed, ...target });
    });
  }
  return { thresholds, errors };
}

type Target = { scenario: string | null; step: string | null } | { error: string };
type Scenarios = ReadonlyMap<string, ReadonlySet<string>>;

// A Map: a threshold key such as `constructor` must not find Object.prototype's.
function indexScenarios(scenarios: unknown): Scenarios {
  const known = new Map<string, ReadonlySet<string>>();
  if (!isRecord(scenarios)) return known;
  for (const [name, steps] of Object.entries(scenarios)) {
    known.set(name, new Set(Array.isArray(steps) ? steps.filter((s): s is string => typeof s === 'string') : []));
  }
  return known;
}

/**
 * `"*"`, a scenario, or `scenario.step`. Scenario and step names may both hold dots, so the
 * key is split after the longest scenario name it starts with (then a dot), never at a guess.
 */
function resolveTarget(key: string, known: Scenarios): Target {
  if (key === '*') return { scenario: null, step: null };
  const scenario = longestScenarioPrefix(key, known);
  if (scenario === undefined) {
    return { error: `unknown scenario "${key}": use "*" for the whole campaign, ${listOf('a scenario', known.keys())} or scenario.step` };
  }
  if (scenario === key) return { scenario, step: null };
  const step = key.slice(scenario.length + 1);
  const steps = known.get(scenario) ?? new Set<string>();
  if (!steps.has(step)) {
    return { error: `unknown step "${step}" of scenario "${scenario}": ${listOf('its steps are', steps.values(), true)}` };
  }
  return { scenario, step };
}

function longestScenarioPrefix(key: string, known: Scenarios): string | undefined {
  let best: string | undefined;
  for (const name of known.keys()) {
    const matches = key === name || key.startsWith(`${name}.`);
    if (matches && (best === undefined || name.length > best.length)) best = name;
  }
  return best;
}

// Names for a message, bounded: a campaign may have many scenarios or steps.
const LISTED = 10;

function listOf(label: string, names: Iterable<string>, bare = false): string {
  const all = [...names].sort();
  if (all.length === 0) return bare ? 'it has no step' : `${label} (the campaign has none)`;
  const shown = all.slice(0, LISTED).join(', ') + (all.length > LISTED ? `, … (${all.length} in all)` : '');
  return bare ? `${label} ${shown}` : `${label} (${shown})`;
}

const LONG_FORM_FIELDS: ReadonlySet<string> = new Set(['threshold', 'abortOnFail', 'delayAbortEvalMs']);
const ENTRY_HINT = 'expected an expression string or { threshold, abortOnFail?, delayAbortEvalMs? }';

type ParsedEntry = Omit<ThresholdDefinition, 'scenario' | 'step'>;

/** One entry, short or long form; its errors go to `errors`, each at its own path. */
function parseEntry(entry: unknown, path: string, errors: ThresholdError[]): ParsedEntry | undefined {
  if (typeof entry === 'string') {
    const parsed = parseThreshold(entry);
    if (!parsed.ok) errors.push({ path, message: parsed.error });
    return parsed.ok ? { ...parsed.value, abortOnFail: false, delayAbortEvalMs: 0 } : undefined;
  }
  if (!isRecord(entry)) {
    errors.push({ path, message: ENTRY_HINT });
    return undefined;
  }
  return parseLongForm(entry, path, errors);
}

function parseLongForm(entry: Record<string, unknown>, path: string, errors: ThresholdError[]): ParsedEntry | undefined {
  const before = errors.length;
  for (const field of Object.keys(entry)) {
    if (!LONG_FORM_FIELDS.has(field)) {
      errors.push({ path: `${path}.${field}`, message: `unknown field "${field}": use threshold, abortOnFail, delayAbortEvalMs (ms)` });
    }
  }
  const parsed = longFormExpression(entry.threshold, `${path}.threshold`, errors);
  const abortOnFail = longFormFlag(entry.abortOnFail, `${path}.abortOnFail`, errors);
  const delayAbortEvalMs = longFormDelay(entry.delayAbortEvalMs, `${path}.delayAbortEvalMs`, errors);
  if (errors.length > before || parsed === undefined) return undefined;
  return { ...parsed, abortOnFail, delayAbortEvalMs };
}

function longFormExpression(value: unknown, path: string, errors: ThresholdError[]): ParsedThreshold | undefined {
  if (typeof value !== 'string') {
    errors.push({ path, message: value === undefined ? 'threshold is required' : 'threshold must be a string' });
    return undefined;
  }
  const parsed = parseThreshold(value);
  if (!parsed.ok) errors.push({ path, message: parsed.error });
  return parsed.ok ? parsed.value : undefined;
}

function longFormFlag(value: unknown, path: string, errors: ThresholdError[]): boolean {
  if (value === undefined || typeof value === 'boolean') return value ?? false;
  errors.push({ path, message: 'abortOnFail must be a boolean' });
  return false;
}

function longFormDelay(value: unknown, path: string, errors: ThresholdError[]): number {
  if (value === undefined) return 0;
  const finite = typeof value === 'number' && Number.isFinite(value);
  if (finite && value >= 0) return value;
  errors.push({ path, message: finite ? 'delayAbortEvalMs must be >= 0' : 'delayAbortEvalMs must be a number (ms)' });
  return 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Metrics computed from request samples: with no request they have no value at all (0/0 for
// errorRate), unlike rps and count, for which zero requests IS the observation.
const SAMPLE_METRICS: ReadonlySet<ThresholdMetric> = new Set(THRESHOLD_METRICS.filter((m) => m !== 'rps' && m !== 'checks' && m !== 'count'));

/**
 * Judges a threshold. Over no data it passes vacuously, with `observed: null`, as k6 does:
 * k6's live evaluation skips a metric whose sink is empty, so it neither fails nor aborts.
 * - `null` means nothing was observed at all (no interval yet): every threshold passes.
 * - `count: 0` leaves the sample metrics (latencies, errorRate) without a value: they pass.
 *   rps and count are judged on their zeros, as k6's end-of-test evaluation judges an empty
 *   counter (`count > 10` fails when nothing ran); checks is judged on the 1 it holds then.
 * Where k6's end-of-test evaluation differs (it reads an empty trend as 0, so a lower bound
 * such as `min > 5` fails there), Barrage keeps "no sample, no verdict against it".
 */
export function evaluateThreshold(
  t: ParsedThreshold,
  observed: ObservedNumbers | null,
): { observed: number | null; passed: boolean } {
  if (observed === null) return { observed: null, passed: true };
  if (!(observed.count > 0) && SAMPLE_METRICS.has(t.metric)) return { observed: null, passed: true };
  const value = observed[t.metric];
  return { observed: value, passed: compare(value, t.op, t.value) };
}

function compare(observed: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}

/** A breached `abortOnFail` threshold aborts the campaign once its delay has passed (k6). */
export function shouldAbort(t: ThresholdDefinition, passed: boolean, elapsedMs: number): boolean {
  return t.abortOnFail && !passed && elapsedMs >= t.delayAbortEvalMs;
}
