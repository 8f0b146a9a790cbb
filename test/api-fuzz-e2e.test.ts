/**
 * Property-based API fuzzing (docs/api.md#campaigns, docs/api.md#errors, docs/api.md#scenarios):
 * a few thousand requests, derived from the very zod schemas that validate them and then
 * mutated (extreme numbers, odd strings, wrong types, deep nesting, missing and extra keys, odd
 * path keys and query strings), against a real head with one factory. Every answer must come
 * within 10 s, never be a 5xx, and every 4xx must carry the one error shape
 * `{ error: { code, message, details? } }`; a number beyond any bound of the API (> 2^31 - 1,
 * or subnormal) must not be accepted and kept.
 *
 * The run is reproducible: FUZZ_SEED (printed) fixes every generated request; FUZZ_SCALE
 * multiplies the number of runs per family. Fuzzed campaigns are pinned to `manualStart: true`
 * so that none of them sends load on its own, and everything the run creates is deleted.
 */
import fc from 'fast-check';
import { closeSync, openSync, readSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { campaignSearchSchema, createCampaignSchema, intervalsQuerySchema, patchCampaignSchema, scenarioSchema } from '@barrage/contracts';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { startCluster, startHead, stopChild, waitFor, waitForEnd, type Cluster } from './support/cluster';
import {
  arbitraryFromSchema,
  encode,
  errorShapeProblem,
  hostileValue,
  mutated,
  queryFrom,
  queryString,
  segment,
  serialize,
  show,
  type Hints,
  type JsonSchema,
  type QueryPair,
} from './support/fuzz';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 424242;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
jest.setTimeout(300_000 * Math.max(1, SCALE));
const ANSWER_TIMEOUT_MS = 10_000;
const logDir = join(__dirname, '..', '.barrage', 'logs', 'e2e');
const fileStarted = Date.now();

let cluster: Cluster;
let target: RunningTarget;
let zone: string;
let headLog: HeadLog;
const tag = randomUUID().slice(0, 6);
/** Seeded resources, so routes on existing keys run too (not only 404s). */
const seeded = { scenario: `fuzz-${tag}-a`, doomedScenario: `fuzz-${tag}-b`, finished: '', doomed: '', ready: '' };
/** What the fuzz itself created (201s), deleted at the end. */
const created = { campaigns: new Set<string>(), scenarios: new Set<string>() };
const summaries: string[] = [];
/** The request sent last (by any family): a lost connection may be its doing. */
let previous: FuzzRequest | undefined;
/** Set once the head stopped answering or exited: the families left are not run. */
let headGone: string | null = null;

/** Whether `base` answers `path` (any status) within `ms`. */
async function answers(base: string, path: string, ms = 3000): Promise<boolean> {
  try {
    await (await fetch(base + path, { signal: AbortSignal.timeout(ms) })).arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

const schemaOf = (s: { toJSONSchema(p: object): unknown }) => s.toJSONSchema({ io: 'input', unrepresentable: 'any' }) as JsonSchema;

// ---------------------------------------------------------------------------------------------
// The head's log: the error line(s) written while a request was served
// ---------------------------------------------------------------------------------------------

class HeadLog {
  constructor(readonly file: string | null) {}

  /** The head whose log says it listens on `base`. */
  static find(base: string): HeadLog {
    const files = readdirSync(logDir)
      .filter((f) => f.startsWith('head-') && f.endsWith('.log'))
      .map((f) => join(logDir, f))
      .filter((f) => statSync(f).mtimeMs >= fileStarted - 1000);
    return new HeadLog(files.find((f) => readFileSync(f, 'utf8').includes(`"url":"${base}"`)) ?? null);
  }

  size(): number {
    try {
      return this.file ? statSync(this.file).size : 0;
    } catch {
      return 0;
    }
  }

  /** Warnings and errors logged since `offset`, one short line each. */
  since(offset: number): string[] {
    if (!this.file) return [];
    const end = this.size();
    if (end <= offset) return [];
    const buffer = Buffer.alloc(Math.min(end - offset, 256 * 1024));
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    return buffer
      .toString('utf8')
      .split('\n')
      .flatMap((line) => {
        try {
          const entry = JSON.parse(line);
          if (entry.level < 40) return [];
          const err = entry.err ?? {};
          const frame = String(err.stack ?? '')
            .split('\n')
            .find((l: string) => /\/(apps|libs)\//.test(l) && !l.includes('node_modules'));
          const what = [entry.msg, err.type, err.code, err.message].filter(Boolean).join(': ');
          return [show(what, 400) + (frame ? ` (${frame.trim()})` : '')];
        } catch {
          return line.trim() ? [show(line, 300)] : [];
        }
      });
  }
}

// ---------------------------------------------------------------------------------------------
// Sending one request and judging its answer
// ---------------------------------------------------------------------------------------------

interface FuzzRequest {
  method: string;
  /** The route template, for grouping: `POST /campaigns/{key}/abort`. */
  route: string;
  /** Already encoded, query included. */
  path: string;
  body?: string;
  /** null: send the body without a content type. */
  contentType?: string | null;
  headers?: Record<string, string>;
}

interface Failure {
  kind: '5xx' | 'no answer in 10 s' | 'no answer' | 'error shape' | 'live stream' | 'accepted extreme number';
  req: FuzzRequest;
  status?: number;
  answer?: string;
  problem?: string;
  log: string[];
  /** For a lost connection: the request sent just before on the same keep-alive pool. */
  previous?: FuzzRequest;
}

interface FamilyStats {
  requests: number;
  statuses: Record<string, number>;
  maxMs: number;
  slowest: string;
}

const isLive = (path: string) => /^\/campaigns\/[^/?]*\/live(\?|$)/.test(path);

async function send(req: FuzzRequest, stats: FamilyStats): Promise<Failure | null> {
  const url = cluster.api.base + req.path;
  // Authenticated as an admin, so the fuzz reaches every route's validation (auth itself: security-e2e).
  const headers: Record<string, string> = { authorization: `Bearer ${cluster.api.key}`, ...req.headers };
  const withBody = req.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD';
  if (withBody && req.contentType !== null) headers['content-type'] = req.contentType ?? 'application/json';
  const timeout = AbortSignal.timeout(ANSWER_TIMEOUT_MS);
  const live = new AbortController();
  const logFrom = headLog.size();
  const started = performance.now();
  let res: Response;
  let text = '';
  try {
    res = await fetch(url, { method: req.method, headers, body: withBody ? req.body : undefined, redirect: 'manual', signal: AbortSignal.any([timeout, live.signal]) });
    if (isLive(req.path) && !(res.headers.get('content-type') ?? '').includes('json')) {
      // An event stream (or anything not JSON) on /live: look at the status and type only, never wait on it.
      live.abort();
      if (res.status === 200 && !(res.headers.get('content-type') ?? '').startsWith('text/event-stream'))
        return { kind: 'live stream', req, status: res.status, problem: `200 with content-type ${res.headers.get('content-type')}`, log: [] };
    } else text = await res.text();
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const log = await logSince(logFrom);
    if (timeout.aborted) return { kind: 'no answer in 10 s', req, log };
    return { kind: 'no answer', req, problem: `${err.message}${err.cause ? ` (${err.cause.code ?? ''} ${err.cause.message ?? ''})` : ''}`, log };
  }
  const ms = performance.now() - started;
  stats.requests++;
  stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
  if (ms > stats.maxMs) {
    stats.maxMs = ms;
    stats.slowest = `${req.method} ${show(req.path, 80)}`;
  }
  if (res.status === 201 && req.method === 'POST') {
    try {
      const body = JSON.parse(text);
      if (req.path === '/campaigns' && typeof body.key === 'string') created.campaigns.add(body.key);
      if (req.path === '/scenarios' && typeof body.name === 'string') created.scenarios.add(body.name);
    } catch {
      /* judged below if it matters */
    }
  }
  if (res.status >= 500) return { kind: '5xx', req, status: res.status, answer: text, log: await logSince(logFrom) };
  if (res.status < 300 && req.body !== undefined) {
    const extreme = extremeNumberIn(req.body, text);
    if (extreme) return { kind: 'accepted extreme number', req, status: res.status, answer: text, problem: extreme, log: [] };
  }
  if (res.status >= 400 && req.method !== 'HEAD' && text !== '') {
    const problem = errorShapeProblem(text);
    if (problem) return { kind: 'error shape', req, status: res.status, answer: text, problem, log: [] };
  } else if (res.status >= 400 && req.method !== 'HEAD') {
    return { kind: 'error shape', req, status: res.status, answer: text, problem: 'empty body', log: [] };
  }
  return null;
}

/**
 * No number the API takes in a body needs more than 2^31 - 1 (its largest bound is a week in
 * ms) or a subnormal magnitude. One the API accepted and kept (it comes back in the answer:
 * ignored keys and bodies do not count), outside free-form JSON such as a step's `body.json`,
 * is an unbounded field: a think time of 1e308 ms becomes a 1 ms timer in Node.
 */
function extremeNumberIn(body: string, answer: string): string | null {
  let sent: unknown;
  let got: unknown;
  try {
    sent = JSON.parse(body);
    got = JSON.parse(answer);
  } catch {
    return null;
  }
  const kept = new Set<number>();
  const collect = (v: unknown): void => {
    if (typeof v === 'number') kept.add(v);
    else if (typeof v === 'object' && v !== null) for (const child of Object.values(v)) collect(child);
  };
  collect(got);
  const walk = (v: unknown, path: string[]): string | null => {
    if (path.length >= 2 && path[path.length - 1] === 'json' && path[path.length - 2] === 'body') return null;
    if (typeof v === 'number') {
      const a = Math.abs(v);
      const extreme = a > 2 ** 31 - 1 || (a > 0 && a < 1e-300);
      return extreme && kept.has(v) ? `${path.join('.') || '(body)'} = ${v} was accepted` : null;
    }
    if (typeof v !== 'object' || v === null) return null;
    for (const [k, child] of Object.entries(v)) {
      const found = walk(child, [...path, k]);
      if (found) return found;
    }
    return null;
  };
  return walk(sent, []);
}

async function logSince(offset: number): Promise<string[]> {
  // The head's log goes through a pipe: give its error line a moment to land.
  let lines: string[] = [];
  for (let waited = 0; waited <= 500; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    lines = headLog.since(offset);
    if (lines.length) break;
  }
  // The error filter's line first; background warnings (ingest, other heads' traffic) after.
  return [...lines.filter((l) => l.startsWith('unhandled error')), ...lines.filter((l) => !l.startsWith('unhandled error'))];
}

/**
 * Groups failures by cause: kind, status, the problem, the extra headers sent, and the head's
 * first error line (numbers and quoted text blurred). A 5xx nothing was logged for is grouped
 * by route too, since then nothing else tells two causes apart.
 */
function signature(f: Failure): string {
  const log = (f.log.find((l) => !l.startsWith('{')) ?? '').replace(/\d+/g, 'N').replace(/"[^"]*"/g, '"…"').slice(0, 160);
  const headers = Object.keys(f.req.headers ?? {}).sort().join(',');
  const route = log || headers ? '' : f.req.route;
  // `scenarios.<name>.executionProfile.stages.3.x = 1e308` and `… = 5e-324` are one unbounded field.
  const problem = (f.problem ?? '').replace(/ = .* was accepted$/, '').replace(/\.\d+(?=\.|$)/g, '.N').replace(/^scenarios\.[^.]+\./, 'scenarios.*.');
  return `${f.kind} | ${f.status ?? '-'} | ${problem} | ${headers} | ${log} | ${route}`;
}

function describeRequest(req: FuzzRequest, n = 600): string {
  const lines = [`    ${req.method} ${show(req.path, 300)}`];
  const contentType = req.body === undefined ? [] : [`content-type: ${req.contentType === null ? '(none)' : (req.contentType ?? 'application/json')}`];
  const headers = [...contentType, ...Object.entries(req.headers ?? {}).map(([k, v]) => `${k}: ${show(v, 80)}`)];
  if (headers.length) lines.push(`    ${headers.join(', ')}`);
  if (req.body !== undefined) lines.push(`    body: ${show(req.body, n)}`);
  return lines.join('\n');
}

function report(family: string, failures: Failure[], total: number): string {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) groups.set(signature(f), [...(groups.get(signature(f)) ?? []), f]);
  const parts = [...groups.values()].map((list, i) => {
    const f = list[0]!;
    const routes = [...new Set(list.map((g) => g.req.route))];
    // One example per route (the first three routes), then a few more of the first route.
    const others = [...routes.slice(1, 3).map((r) => list.find((g) => g.req.route === r)!), ...list.filter((g) => g.req.route === f.req.route).slice(1, 3)];
    const lines = [
      `#${i + 1} ${f.kind} → ${f.status ?? 'no status'} on ${routes.slice(0, 4).join(', ')}${routes.length > 4 ? ` and ${routes.length - 4} more routes` : ''} (${list.length} request${list.length > 1 ? 's' : ''})${f.problem ? `: ${f.problem}` : ''}`,
      describeRequest(f.req, f.kind === 'accepted extreme number' || f.kind === 'error shape' ? 600 : 1500),
      `    answer: ${f.status ?? ''} ${show(f.answer, 300)}`,
      ...(f.log.length ? [`    head log: ${f.log.slice(0, 3).join('\n              ')}`] : f.kind === '5xx' ? ['    head log: (nothing logged while it was served)'] : []),
      ...(f.previous ? [`    sent just before:\n${describeRequest(f.previous, 200).replace(/^ {4}/gm, '      ')}`] : []),
      ...others.map((g) => `    also: ${g.req.method} ${show(g.req.path, 120)}${g.req.headers ? ` ${JSON.stringify(g.req.headers)}` : ''}${g.req.body !== undefined ? ` body ${show(g.req.body, 200)}` : ''}${g.problem && g.problem !== f.problem ? ` (${g.problem})` : ''}`),
    ];
    return lines.join('\n');
  });
  return `${family}: ${failures.length} of ${total} requests failed, ${groups.size} distinct (FUZZ_SEED=${SEED} reproduces this run)\n\n${parts.join('\n\n')}`;
}

/**
 * Samples `runs` requests from `arb` (seeded from FUZZ_SEED and the family's index), sends them
 * one at a time (so each 5xx is matched with the head's log lines), and fails with every
 * distinct problem found.
 */
async function fuzzFamily(index: number, family: string, runs: number, arb: fc.Arbitrary<FuzzRequest>): Promise<void> {
  // fetch sends no body with GET or HEAD: drop it, so a report never shows one that was not sent.
  const sampleStart = Date.now();
  const requests = fc
    .sample(arb, { seed: SEED + index, numRuns: Math.max(1, Math.round(runs * SCALE)) })
    .map((r) => (r.method === 'GET' || r.method === 'HEAD' ? { ...r, body: undefined, contentType: undefined } : r));
  const stats: FamilyStats = { requests: 0, statuses: {}, maxMs: 0, slowest: '' };
  const failures: Failure[] = [];
  const sampledIn = Date.now() - sampleStart;
  // Sampling blocks the event loop, and keep-alive sockets the head closed meanwhile may not be
  // known as closed yet: cheap GETs use them up first, so no fuzzed request lands on a dead one.
  for (let attempt = 0, ok = 0; attempt < 6 && ok < 2; attempt++) ok = (await answers(cluster.api.base, '/health')) ? ok + 1 : 0;
  const started = Date.now();
  let timeouts = 0;
  if (headGone) throw new Error(`${family}: not run, ${headGone}`);
  for (const req of requests) {
    if (cluster.head.exitCode !== null || cluster.head.signalCode !== null) {
      headGone = `the head exited (${cluster.head.exitCode ?? cluster.head.signalCode}) after ${family}'s ${req.method} ${show(req.path, 200)}`;
      failures.push({ kind: 'no answer', req, problem: headGone, previous, log: [] });
      break;
    }
    const failure = await send(req, stats);
    if (failure) failures.push(failure.kind.startsWith('no answer') ? { ...failure, previous } : failure);
    previous = req;
    if (failure?.kind === 'no answer in 10 s' && !(await answers(cluster.api.base, '/health'))) {
      // Not one slow route: the whole head stopped answering (a loop, a dead event loop).
      headGone = `the head stopped answering (GET /health too) during ${family}, at ${req.method} ${show(req.path, 200)}${req.body !== undefined ? ` with body ${show(req.body, 600)}` : ''}`;
      failures.push({ ...failure, previous, problem: 'the head stopped answering: GET /health gets no answer either; the remaining requests are not sent' });
      break;
    }
    if (failure?.kind === 'no answer in 10 s' && ++timeouts >= 5) {
      failures.push({ kind: 'no answer in 10 s', req, problem: 'five answers took over 10 s: the rest of this family is skipped', log: [] });
      break;
    }
  }
  const codes = Object.entries(stats.statuses).map(([s, n]) => `${s}×${n}`).join(' ');
  summaries.push(`${family}: ${requests.length} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (sampled in ${(sampledIn / 1000).toFixed(1)} s); ${codes}; slowest ${stats.maxMs.toFixed(0)} ms (${stats.slowest})`);
  if (failures.length) throw new Error(report(family, failures, requests.length));
}

// ---------------------------------------------------------------------------------------------
// Arbitraries of requests
// ---------------------------------------------------------------------------------------------

const METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'HEAD'];
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fuzzed campaigns wait for a manual start that never comes: none of them sends load. */
function pinManualStart(v: unknown): unknown {
  if (isPlainObject(v) && (v.manualStart === undefined || v.manualStart === false)) v.manualStart = true;
  return v;
}

function scenarioBody(): fc.Arbitrary<unknown> {
  const hints: Hints = {
    name: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,8}$/).map((s) => `fuzz-${tag}-${s}`), fc.constant(`fuzz-${tag}-versions`)),
    variables: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 }), { maxKeys: 2 }).map((v) => ({ ...v, base: target.url })),
    'steps.*.url': fc.oneof(fc.constant('{{base}}/fuzz'), fc.constant(`${target.url}/x`), fc.constant('{{base}}/status/500'), fc.constant('{{missing}}/y')),
    'steps.*.method': fc.constantFrom('GET', 'post', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'get', 'TRACE', ''),
    // max >= min, a refinement the JSON Schema cannot carry.
    'steps.*.thinkTimeMs': fc.oneof(fc.nat({ max: 2000 }), fc.tuple(fc.nat({ max: 1000 }), fc.nat({ max: 1000 })).map(([min, extra]) => ({ min, max: min + extra }))),
  };
  return mutated(arbitraryFromSchema(schemaOf(scenarioSchema), hints));
}

function campaignBody(): fc.Arbitrary<unknown> {
  const js = schemaOf(createCampaignSchema);
  const names = [seeded.scenario, seeded.doomedScenario];
  const hints: Hints = {
    name: fc.string({ minLength: 1, maxLength: 20 }).map((s) => `fuzz ${s}`),
    'scenarios.{key}': fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/) }),
    'scenarios.*.zones': fc.oneof(
      { weight: 4, arbitrary: fc.constant({ [zone]: 100 }) },
      { weight: 1, arbitrary: fc.constant({ [zone]: 50, [`nowhere-${tag}`]: 50 }) },
      { weight: 2, arbitrary: arbitraryFromSchema((js as any).properties.scenarios.additionalProperties.properties.zones, {}, '') },
    ),
    'thresholds.{key}': fc.oneof({ weight: 6, arbitrary: fc.constantFrom(names[0]!, `${names[0]}.get`, '*') }, { weight: 1, arbitrary: fc.constantFrom('nope', `${names[1]}.x.y`) }),
    'thresholds.*.*': fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('p95 < 250', 'errorRate < 0.01', 'checks > 0.99', 'p99 < 1e308', 'p50 > -1', 'rps > 0', 'max < 0', 'p100 < 5', 'p0.1 < 5') },
      { weight: 2, arbitrary: fc.record({ threshold: fc.constantFrom('p95 < 250', 'errorRate < 0.5'), abortOnFail: fc.boolean(), delayAbortEvalMs: fc.nat({ max: 86_400_000 }) }, { requiredKeys: ['threshold'] }) },
      { weight: 1, arbitrary: arbitraryFromSchema((js as any).properties.thresholds.additionalProperties.items, {}, '') },
    ),
    timeout: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('PT10M', 'PT1S', 'P1DT2H', 'PT0.5S') }, { weight: 1, arbitrary: fc.constantFrom('P0D', 'PT99999999999H', 'P', 'PT', 'xyz', 'PT1e308S') }),
  };
  return mutated(arbitraryFromSchema(js, hints), pinManualStart);
}

const keys = () => [seeded.finished, seeded.doomed, seeded.ready];
const keySegment = () => segment(keys(), fc.stringMatching(/^[a-z0-9]{12}$/));
const scenarioSegment = () => segment([seeded.scenario, seeded.doomedScenario], fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/));
const stepSegment = () => segment(['get'], fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/));
const abortBody = () => mutated(arbitraryFromSchema({ type: 'object', properties: { hard: { type: 'boolean' } }, additionalProperties: false }));
const extendBody = () => mutated(arbitraryFromSchema({ type: 'object', properties: { newDurationMs: { type: 'integer', minimum: 1, maximum: 604_800_000 } }, required: ['newDurationMs'], additionalProperties: false }));
const patchBody = () => mutated(arbitraryFromSchema(schemaOf(patchCampaignSchema)));
const intervalsQuery = () =>
  queryFrom(
    arbitraryFromSchema(schemaOf(intervalsQuerySchema), {
      scenario: fc.constantFrom(seeded.scenario, 'nope', '*'),
      step: fc.constantFrom('get', 'nope', '*'),
      zone: fc.constantFrom(zone, 'nowhere', '*'),
    }),
  );
const emptyQuery = () => queryFrom(fc.constant({}));
/** A body for a method that may carry one: none, a route's own (mutated), or anything hostile. */
const anyBody = (own?: () => fc.Arbitrary<unknown>) =>
  fc.oneof(fc.constant(undefined), ...(own ? [own()] : []), hostileValue(), fc.jsonValue({ maxDepth: 2 })).map(serialize);

/** A campaign key route: [natural method, suffix, body of the natural method]. */
const KEY_ROUTES: [string, string, (() => fc.Arbitrary<unknown>)?][] = [
  ['GET', ''], ['HEAD', ''], ['PATCH', '', patchBody], ['DELETE', ''],
  ['POST', '/start'], ['POST', '/abort', abortBody], ['POST', '/extend', extendBody], ['POST', '/save'], ['POST', '/unsave'],
  ['GET', '/definition'], ['GET', '/execution'], ['GET', '/report'], ['GET', '/report.html'], ['GET', '/intervals'], ['GET', '/intervals.csv'],
  ['GET', '/steps'], ['GET', '/steps/{step}'], ['GET', '/errors'], ['GET', '/distribution'], ['GET', '/logs'], ['GET', '/logs.txt'],
  ['GET', '/results.csv'], ['GET', '/live'],
];

const method = (natural: string) => fc.oneof({ weight: 3, arbitrary: fc.constant(natural) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) });

function keyRouteRequest(): fc.Arbitrary<FuzzRequest> {
  const key = keySegment();
  const step = stepSegment();
  const queries = { intervals: intervalsQuery(), other: emptyQuery() };
  const noBody = anyBody();
  return fc
    .oneof(
      ...KEY_ROUTES.map(([natural, suffix, own]) =>
        fc.record({
          method: method(natural),
          key,
          step,
          body: own ? anyBody(own) : noBody,
          query: fc.oneof({ weight: 3, arbitrary: fc.constant<QueryPair[]>([]) }, { weight: 1, arbitrary: suffix.startsWith('/intervals') ? queries.intervals : queries.other }),
          suffix: fc.constant(suffix),
        }),
      ),
    )
    .map(({ method: m, key, step, body, query, suffix }) => {
      // The kept campaign is never deleted (its doomed twin is), so later requests still find it.
      const k = m === 'DELETE' && suffix === '' && key === seeded.finished ? seeded.doomed : key;
      return { method: m, route: `${m} /campaigns/{key}${suffix}`, path: `/campaigns/${k}${suffix.replace('{step}', step)}${queryString(query)}`, body };
    });
}

function scenarioRouteRequest(): fc.Arbitrary<FuzzRequest> {
  return fc.record({ method: method('GET'), name: scenarioSegment(), body: anyBody(scenarioBody), query: fc.oneof(fc.constant<QueryPair[]>([]), emptyQuery()) }).map(({ method: m, name, body, query }) => {
    const n = m === 'DELETE' && name === seeded.scenario ? seeded.doomedScenario : name;
    return { method: m, route: `${m} /scenarios/{name}`, path: `/scenarios/${n}${queryString(query)}`, body };
  });
}

const STATIC_ROUTES = ['/scenarios', '/campaigns', '/factories', '/zones', '/health', '/docs', '/metrics', '/', '/campaigns/', '//campaigns', '/CAMPAIGNS', '/scenarios/', '/nope', '/campaigns//report'];

function staticRouteRequest(): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({ route: fc.constantFrom(...STATIC_ROUTES), method: fc.constantFrom(...METHODS, 'PUT', 'OPTIONS'), body: anyBody(), query: fc.oneof(fc.constant<QueryPair[]>([]), emptyQuery()) })
    .map(({ route, method: m, body, query }) => ({ method: m, route: `${m} ${route}`, path: `${route}${queryString(query)}`, body }));
}

const RAW_BODIES = [
  '{', '{"name":', '[', '}', 'null', '""', '1', 'true', '{"a":1,}', "{'a':1}", '\u0000', '{"a":"\\u0000"}', '{"a":"\\ud800"}', '{"a":1e400}',
  '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '\uFEFF{}', '{"a":1}{"b":2}', ' ', '', '[]', '{}', 'NaN', '-', '1e400',
  '{"a":' + '9'.repeat(400) + '}', '['.repeat(5000) + ']'.repeat(5000), '{"a":'.repeat(3000) + '1' + '}'.repeat(3000), '"' + 'x'.repeat(100_000) + '"',
  '{"note":"' + 'x'.repeat(2_000_000) + '"}', 'name=x&note=y', '<xml/>', '\x1f\x8b\x08\x00', '{"a":"\\x00"}', '{"a":"\\uZZZZ"}', '{"a":01}',
];
const CONTENT_TYPES = [
  'application/json', 'application/json', 'text/plain', null, 'application/x-www-form-urlencoded', 'application/json; charset=utf-16',
  'application/json; charset=latin1', 'application/json; charset=bogus', 'multipart/form-data; boundary=x', 'application/xml', '*/*', 'application/merge-patch+json',
];

function rawBodyRequest(): fc.Arbitrary<FuzzRequest> {
  const routes: [string, () => string, () => fc.Arbitrary<unknown>][] = [
    ['POST', () => '/scenarios', scenarioBody],
    ['POST', () => '/campaigns', campaignBody],
    ['PATCH', () => `/campaigns/${seeded.finished}`, patchBody],
    ['POST', () => `/campaigns/${seeded.finished}/abort`, abortBody],
    ['POST', () => `/campaigns/${seeded.finished}/extend`, extendBody],
  ];
  const contentType = fc.constantFrom(...CONTENT_TYPES);
  const encoding = fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'zstd', 'identity', 'bogus', 'gzip, gzip') });
  return fc
    .oneof(
      ...routes.map(([m, path, own]) => {
        const body = own().map((v) => serialize(v) ?? '');
        return fc.record({
          m: fc.constant(m),
          path: fc.constant(path()),
          body: fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...RAW_BODIES) },
            // A real body cut short: malformed JSON.
            { weight: 2, arbitrary: fc.tuple(body, fc.double({ min: 0, max: 0.99, noNaN: true })).map(([text, at]) => text.slice(0, Math.floor(text.length * at))) },
            { weight: 2, arbitrary: body },
          ),
          contentType,
          encoding,
        });
      }),
    )
    .map(({ m, path, body, contentType, encoding }) => ({
      method: m,
      route: `${m} ${path.replace(seeded.finished, '{key}')} (raw)`,
      path,
      body: pinRaw(path, body),
      contentType,
      ...(encoding ? { headers: { 'content-encoding': encoding } } : {}),
    }));
}

/** A raw campaign body that happens to parse is pinned to manualStart too. */
function pinRaw(path: string, body: string): string {
  if (path !== '/campaigns') return body;
  try {
    const v = JSON.parse(body);
    return isPlainObject(v) ? (serialize(pinManualStart(v)) ?? body) : body;
  } catch {
    return body;
  }
}

function liveRequest(): fc.Arbitrary<FuzzRequest> {
  const lastEventIds = ['0', '1', '-1', '99999999999', '1e308', 'abc', '', ' ', 'x'.repeat(1000), '0x10', 'NaN', '9007199254740993'];
  return fc
    .record({
      key: keySegment(),
      query: fc.oneof(fc.constant<QueryPair[]>([]), queryFrom(arbitraryFromSchema({ type: 'object', properties: { lastEventId: { type: 'string', maxLength: 20 } } }))),
      header: fc.option(fc.constantFrom(...lastEventIds)),
    })
    .map(({ key, query, header }) => ({
      method: 'GET',
      route: 'GET /campaigns/{key}/live',
      path: `/campaigns/${key}/live${queryString(query)}`,
      ...(header !== null ? { headers: { 'last-event-id': header } } : {}),
    }));
}

// ---------------------------------------------------------------------------------------------
// The cluster, its seeded resources, and the cleanup
// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  console.log(`api fuzz: FUZZ_SEED=${SEED} FUZZ_SCALE=${SCALE} (set FUZZ_SEED to explore other inputs)`);
  target = await startTarget();
  cluster = await startCluster({ factories: [{ zone: 'fuzz', capacity: 100 }] });
  zone = cluster.zones[0]!;
  headLog = HeadLog.find(cluster.api.base);
  const api = cluster.api;
  for (const name of [seeded.scenario, seeded.doomedScenario]) {
    const res = await api.request('POST', '/scenarios', { name, variables: { base: target.url }, steps: [{ name: 'get', method: 'GET', url: '{{base}}/fuzz', checks: [{ status: [200] }] }] });
    expect(res.status).toBe(201);
  }
  const campaign = async (extra: Record<string, unknown> = {}) => {
    const res = await api.request('POST', '/campaigns', {
      name: `fuzz seed ${tag}`,
      startOffsetMs: 100,
      scenarios: { [seeded.scenario]: { minionsCount: 5, zones: { [zone]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } },
      thresholds: { [seeded.scenario]: ['p95 < 5000'] },
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body.key as string;
  };
  seeded.finished = await campaign();
  seeded.doomed = await campaign();
  await Promise.all([waitForEnd(api, seeded.finished), waitForEnd(api, seeded.doomed)]);
  seeded.ready = await campaign({ manualStart: true, scenarios: { [seeded.scenario]: { minionsCount: 1, executionProfile: { profile: 'IMMEDIATELY' } } } });
  await waitFor('the manual campaign to be ready', async () => (await api.request('GET', `/campaigns/${seeded.ready}`)).body.status === 'ready', 60_000);
});

/** Aborts and deletes what the run created, each request bounded (a stuck head must not hang the cleanup). */
async function cleanUp(base: string): Promise<void> {
  const call = async (method: string, path: string, body?: unknown) => {
    try {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${cluster.api.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    } catch {
      return null;
    }
  };
  const campaigns = [...created.campaigns, seeded.finished, seeded.doomed, seeded.ready].filter(Boolean);
  for (const key of campaigns) await call('POST', `/campaigns/${key}/abort`, { hard: true });
  for (const key of campaigns) {
    await waitFor(`campaign ${key} to end`, async () => {
      const res = await call('GET', `/campaigns/${key}`);
      return !res || res.status === 404 || ['completed', 'failed', 'aborted'].includes(res.body?.status);
    }, 10_000).catch(() => undefined);
    await call('DELETE', `/campaigns/${key}`);
  }
  for (const name of [...created.scenarios, seeded.scenario, seeded.doomedScenario]) await call('DELETE', `/scenarios/${encode(name)}`);
}

afterAll(async () => {
  if (summaries.length) console.log(`api fuzz (FUZZ_SEED=${SEED}), ${((Date.now() - fileStarted) / 1000).toFixed(0)} s in all:\n${summaries.join('\n')}`);
  const stuck = !!cluster && (headGone !== null || !(await answers(cluster.api.base, '/health')));
  if (cluster && !stuck) await cleanUp(cluster.api.base);
  const codes = await cluster?.stop();
  if (stuck) {
    // The fuzzed head cannot clean up: a fresh one on the same database does, so the shared
    // stack keeps no fuzz campaign waiting for a start.
    const fresh = await startHead(`fuzz-cleanup-${tag}`);
    try {
      await cleanUp(fresh.api.base);
    } finally {
      await stopChild(fresh.process, 20_000);
    }
  }
  await target?.close();
  // A head that had to be killed is already reported by the family that saw it stop.
  if (!stuck) expect(codes).toEqual(codes?.map(() => 0));
});

// ---------------------------------------------------------------------------------------------
// The families: a few thousand requests in all
// ---------------------------------------------------------------------------------------------

const post = (path: string, route = `POST ${path}`) => (body: unknown): FuzzRequest => ({ method: 'POST', route, path, body: serialize(body) });

describe('the API under fuzzed input: no 5xx, an answer within 10 s, the error shape on every 4xx', () => {
  it('POST /scenarios with bodies from scenarioSchema, mutated', () => fuzzFamily(1, 'POST /scenarios', 350, scenarioBody().map(post('/scenarios'))));

  it('POST /campaigns with bodies from createCampaignSchema, mutated', () => fuzzFamily(2, 'POST /campaigns', 500, campaignBody().map(post('/campaigns'))));

  it('PATCH /campaigns/{key}, abort and extend with their bodies, mutated', () =>
    fuzzFamily(
      3,
      'campaign bodies',
      250,
      fc.record({ key: fc.constantFrom(seeded.finished, seeded.doomed, 'nope00000000'), which: fc.constantFrom('patch', 'abort', 'extend'), patch: patchBody(), abort: abortBody(), extend: extendBody() }).map(({ key, which, patch, abort, extend }) =>
        which === 'patch'
          ? { method: 'PATCH', route: 'PATCH /campaigns/{key}', path: `/campaigns/${key}`, body: serialize(patch) }
          : { method: 'POST', route: `POST /campaigns/{key}/${which}`, path: `/campaigns/${key}/${which}`, body: serialize(which === 'abort' ? abort : extend) },
      ),
    ));

  it('GET /campaigns with queries from campaignSearchSchema, mutated', () =>
    fuzzFamily(
      4,
      'GET /campaigns?query',
      300,
      queryFrom(
        arbitraryFromSchema(schemaOf(campaignSearchSchema), {
          status: fc.constantFrom('completed', 'running,failed', 'bogus', 'COMPLETED', ',,,'),
          excludedStatuses: fc.constantFrom('completed', 'aborted,failed', 'bogus'),
          filter: fc.oneof(fc.constantFrom('fuzz*', '*', '?', 'a,b,,c', '%', '_', "'", '\\', '[', '(', '.*'), fc.string({ maxLength: 20 })),
        }),
      ).map((q) => ({ method: 'GET', route: 'GET /campaigns?query', path: `/campaigns${queryString(q)}` })),
    ));

  it('GET intervals, intervals.csv and steps/{step} with queries from intervalsQuerySchema, mutated', () =>
    fuzzFamily(
      5,
      'result queries',
      300,
      fc
        .record({
          key: fc.oneof({ weight: 4, arbitrary: fc.constant(seeded.finished) }, { weight: 1, arbitrary: keySegment() }),
          suffix: fc.constantFrom('/intervals', '/intervals.csv', '/steps/get', '/steps/{step}'),
          step: stepSegment(),
          intervals: intervalsQuery(),
          steps: queryFrom(arbitraryFromSchema({ type: 'object', properties: { scenario: { type: 'string', minLength: 1, maxLength: 100 } } }, { scenario: fc.constantFrom(seeded.scenario, 'nope') })),
        })
        .map(({ key, suffix, step, intervals, steps }) => ({
          method: 'GET',
          route: `GET /campaigns/{key}${suffix}?query`,
          path: `/campaigns/${key}${suffix.replace('{step}', step)}${queryString(suffix.startsWith('/intervals') ? intervals : steps)}`,
        })),
    ));

  it('odd path keys (campaign key, scenario name, step) on every route and method', () =>
    fuzzFamily(6, 'path keys', 800, fc.oneof({ weight: 4, arbitrary: keyRouteRequest() }, { weight: 1, arbitrary: scenarioRouteRequest() })));

  it('every method on the fixed routes, with hostile bodies and queries', () => fuzzFamily(7, 'fixed routes', 250, staticRouteRequest()));

  it('malformed, huge and mis-typed raw bodies', () => fuzzFamily(8, 'raw bodies', 250, rawBodyRequest()));

  it('GET /campaigns/{key}/live: the status and content type only (never waits on the stream)', () => fuzzFamily(9, 'live', 60, liveRequest()));
});
