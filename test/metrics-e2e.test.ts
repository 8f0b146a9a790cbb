/**
 * Metrics a user acts on (docs/metrics.md): a stall that shows in p99 and not in p50, thresholds that
 * pass, fail and abort, the live stream (after the end, and resumed mid-run), every result
 * route, and an ingest that no duplicate or out-of-order snapshot moves.
 */
import { Redis } from 'ioredis';
import { createLatencyHistogram, emptyHistogramEncoded, encodeHistogram, recordMicros } from '@barrage/metrics';
import { distributionSchema, errorsSchema, executionSchema, intervalsSchema, redisKeys, reportSchema, stepDetailSchema, stepsSchema } from '@barrage/contracts';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { requireEnv, startCluster, startHead, stopChild, waitFor, waitForEnd, type Cluster } from './support/cluster';
import { readSse, type SseEvent } from './support/sse';
import { launchChromium } from './support/browser';

jest.setTimeout(240_000);

let cluster: Cluster;
let target: RunningTarget;
let zone: string;

beforeAll(async () => {
  target = await startTarget();
  cluster = await startCluster({ factories: [{ zone: 'metrics', capacity: 100 }] });
  zone = cluster.zones[0]!;
});

afterAll(async () => {
  const codes = await cluster?.stop();
  await target?.close();
  expect(codes).toEqual(codes?.map(() => 0));
});

beforeEach(() => target.reset());

async function saveScenario(name: string, steps: unknown[], extra: Record<string, unknown> = {}) {
  const res = await cluster.api.request('POST', '/scenarios', { name, variables: { base: target.url }, steps, ...extra });
  expect(res.status).toBe(201);
}

async function createCampaign(body: Record<string, unknown>): Promise<string> {
  const res = await cluster.api.request('POST', '/campaigns', body);
  expect(res.status).toBe(201);
  return res.body.key as string;
}

const metricsOf = (events: SseEvent[]) => events.filter((e) => e.event === 'metrics');

/** Offsets 0…n-1 exactly once each, in order. */
function expectContiguous(events: SseEvent[], from = 0) {
  expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => from + i));
  expect(events.map((e) => e.data.offset)).toEqual(events.map((_, i) => from + i));
}

async function headCounter(name: string): Promise<number> {
  const text = await (await fetch(`${cluster.api.base}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

describe('an open-model campaign whose target stalls for two seconds', () => {
  let key: string;
  let report: any;
  /** What the target received during the campaign (beforeEach resets it). */
  let received: number;

  beforeAll(async () => {
    await saveScenario('m-open', [{ name: 'get', method: 'GET', url: '{{base}}/m', checks: [{ status: [200] }] }]);
    key = await createCampaign({
      name: 'stall',
      startOffsetMs: 500,
      scenarios: { 'm-open': { zones: { [zone]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 100, durationMs: 10_000, maxInFlight: 2000 } } },
      thresholds: { 'm-open': ['p50 < 500', 'p99 < 500', { threshold: 'checks > 0.99' }], 'm-open.get': ['errorRate < 0.01'] },
    });
    const running = await waitFor('the start instant', async () => {
      const c = (await cluster.api.request('GET', `/campaigns/${key}`)).body;
      return c.startedAt ? c : null;
    }, 60_000, 50);
    // Stall 4 s into the 10 s run: ~200 of the 1000 arrivals wait up to 2 s.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(running.startedAt) + 4000 - Date.now())));
    target.stall(2000);
    const done = await waitForEnd(cluster.api, key);
    expect(done.status).toBe('completed');
    received = target.stats.total;
    report = (await cluster.api.request('GET', `/campaigns/${key}/report`)).body;
  });

  it('answers in the shapes libs/contracts (and so the OpenAPI document) declares', async () => {
    const get = async (path: string) => (await cluster.api.request('GET', `/campaigns/${key}${path}`)).body;
    reportSchema.parse(report);
    intervalsSchema.parse(await get('/intervals'));
    intervalsSchema.parse(await get('/intervals?scenario=m-open&step=get'));
    stepsSchema.parse(await get('/steps'));
    stepDetailSchema.parse(await get('/steps/get'));
    errorsSchema.parse(await get('/errors'));
    executionSchema.parse(await get('/execution'));
    distributionSchema.parse(await get('/distribution'));
  });

  it('shows the stall in p99 but not in p50, and the target saw exactly what the report says', async () => {
    expect(received).toBe(1000);
    expect(report.summary.requests).toBe(1000);
    expect(report.summary.failures).toBe(0);
    expect(report.latency.p99).toBeGreaterThan(1000);
    expect(report.latency.max).toBeGreaterThan(1500);
    expect(report.latency.p50).toBeLessThan(200);
    // Bytes on the wire, request heads included (a GET has no body), and where the time went.
    expect(report.summary.bytes.out).toBeGreaterThan(1000 * 30);
    expect(report.summary.bytes.in).toBeGreaterThan(1000 * 30);
    expect(report.timingBreakdown.firstByteMs).toBeGreaterThan(0);
    expect(report.summary.checks).toEqual({ evaluated: 1000, failed: 0, passRate: 1 });
  });

  it('adds the intervals up to the report', async () => {
    const intervals = (await cluster.api.request('GET', `/campaigns/${key}/intervals`)).body as any[];
    expect(intervals.reduce((n, r) => n + r.count, 0)).toBe(report.summary.requests);
    expect(intervals.reduce((n, r) => n + r.minionsStarted, 0)).toBe(1000);
    const last2 = (await cluster.api.request('GET', `/campaigns/${key}/intervals?numIntervals=2`)).body as any[];
    expect(last2).toEqual(intervals.slice(-2));
    const perZone = (await cluster.api.request('GET', `/campaigns/${key}/intervals?scenario=m-open&step=get&zone=${zone}`)).body as any[];
    expect(perZone.reduce((n, r) => n + r.count, 0)).toBe(1000);
    expect((await cluster.api.request('GET', `/campaigns/${key}/intervals?numIntervals=0`)).status).toBe(400);
  });

  it('fails the threshold that must fail and passes the others, with the observed values', async () => {
    const done = (await cluster.api.request('GET', `/campaigns/${key}`)).body;
    expect(done.result).toBe('failed');
    const byExpr = Object.fromEntries(report.thresholds.map((t: any) => [`${t.scenario}.${t.step}:${t.expression}`, t]));
    expect(byExpr['m-open.null:p99 < 500'].passed).toBe(false);
    expect(byExpr['m-open.null:p99 < 500'].observed).toBeGreaterThan(1000);
    expect(byExpr['m-open.null:p50 < 500'].passed).toBe(true);
    expect(byExpr['m-open.null:checks > 0.99']).toMatchObject({ passed: true, observed: 1 });
    expect(byExpr['m-open.get:errorRate < 0.01']).toMatchObject({ passed: true, observed: 0 });
    expect(done.resultDetails).toEqual(report.thresholds);
  });

  it('replays the whole series and `complete` to a client that connects after the end', async () => {
    const { status, contentType, events, ended } = await readSse(`${cluster.api.base}/campaigns/${key}/live?access_token=${cluster.api.key}`, { timeoutMs: 20_000 }); // EventSource's way: the key in the query
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);
    expect(ended).toBe(true);
    const metrics = metricsOf(events);
    expectContiguous(metrics);
    expect(metrics.reduce((n, e) => n + e.data.interval.requests, 0)).toBe(1000);
    expect(metrics.at(-1)!.data.totalRequests).toBe(1000);
    expect(events.at(-1)).toMatchObject({ event: 'complete', data: { status: 'completed', result: 'failed' } });
    expect(events.filter((e) => e.event === 'status').map((e) => e.data.status)).toEqual(['completed']);
    // The breach was seen live too, and sent as a `threshold` event.
    expect(events.some((e) => e.event === 'threshold' && e.data.expression === 'p99 < 500' && e.data.passed === false)).toBe(true);

    // Another head serves the very same stream: the events come from Postgres, not a head's memory.
    const other = await startHead();
    try {
      const again = await readSse(`${other.api.base}/campaigns/${key}/live`, { headers: { authorization: `Bearer ${other.api.key}` }, timeoutMs: 20_000 });
      expect(again.events).toEqual(events);
    } finally {
      expect(await stopChild(other.process, 20_000)).toBe(0);
    }
  });

  it('answers every result route', async () => {
    const steps = (await cluster.api.request('GET', `/campaigns/${key}/steps`)).body;
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ scenario: 'm-open', step: 'get', requests: 1000, failures: 0 });
    const step = (await cluster.api.request('GET', `/campaigns/${key}/steps/get`)).body;
    expect(step).toMatchObject({ scenario: 'm-open', step: 'get', requests: 1000 });
    expect(step.zones.map((z: any) => [z.zone, z.requests])).toEqual([[zone, 1000]]);
    expect(step.intervals.reduce((n: number, r: any) => n + r.count, 0)).toBe(1000);
    expect((await cluster.api.request('GET', `/campaigns/${key}/steps/nope`)).status).toBe(404);

    const errors = (await cluster.api.request('GET', `/campaigns/${key}/errors`)).body;
    expect(errors).toEqual({ kinds: [], checks: [] });

    const distribution = (await cluster.api.request('GET', `/campaigns/${key}/distribution`)).body;
    expect(distribution.scenarios[0].zones).toEqual([{ zone, percentage: 100, minions: expect.any(Number), factories: [expect.objectContaining({ id: cluster.factories[0]!.id, capacity: 100 })] }]);

    const csv = await cluster.api.fetch(`/campaigns/${key}/intervals.csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    const header = lines[0]!.split(',');
    const countAt = header.indexOf('count');
    expect(lines.slice(1).reduce((n, l) => n + Number(l.split(',')[countAt]), 0)).toBe(1000);
    const all = (await (await cluster.api.fetch(`/campaigns/${key}/results.csv`)).text()).trim().split('\r\n');
    expect(all.length).toBeGreaterThan(lines.length); // every resource and roll-up, not just one

    const text = await (await cluster.api.fetch(`/campaigns/${key}/logs.txt`)).text();
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO Allocated 1 chunk in zone /m);
    expect(text).toMatch(/WARN Threshold "p99 < 500" of m-open breached/);

    const page = await cluster.api.fetch(`/campaigns/${key}/report.html`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<svg');
  });

  it('serves a report page that draws its charts in a browser without any network request', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      // A link a user opens in a browser carries the key in its query (docs/security.md).
      const url = `${cluster.api.base}/campaigns/${key}/report.html?access_token=${cluster.api.key}`;
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForLoadState('networkidle');
      expect(requests).toEqual([url]);
      const charts = await page.evaluate(() =>
        Array.from(document.querySelectorAll('svg.chart')).map((svg) =>
          Array.from(svg.querySelectorAll('path, polyline')).filter((l) => (l as SVGGraphicsElement).getBBox().width > 0).length,
        ),
      );
      expect(charts.length).toBeGreaterThanOrEqual(3);
      for (const drawn of charts) expect(drawn).toBeGreaterThan(0);
      const text = await page.textContent('body');
      expect(text).toContain('FAILED');
      expect(text).toContain('p99 < 500');
    } finally {
      await browser.close();
    }
  });

  it('counts nothing twice: duplicate and out-of-order snapshots leave the totals right', async () => {
    const redis = new Redis(requireEnv().REDIS_URL);
    try {
      const chunk = (await cluster.api.request('GET', `/campaigns/${key}/execution`)).body.zones[0].chunks[0];
      const far = 10_000; // seqs beyond any the factory sent
      const bucketStart = Date.parse((await cluster.api.request('GET', `/campaigns/${key}/intervals`)).body[0].bucketStart);
      const hist = createLatencyHistogram();
      for (let i = 0; i < 5; i++) recordMicros(hist, 2000);
      const snapshot = (seq: number, requests: number) => ({
        type: 'snapshot', campaignKey: key, chunkId: chunk.id, factoryId: chunk.factoryId, run: chunk.runs[0].run, scenario: 'm-open', zone, seq, bucketStart, resolutionMs: 1000,
        minionsActive: 0, minionsStarted: 0, iterations: 0, droppedIterations: 0, targetArrivals: 0, maxLagMs: 0, maxLatenessMs: 0, cpu: 0, saturated: false,
        steps: [{ step: 'get', requests, successes: requests, failures: 0, failureKinds: {}, statusCodes: { '200': requests }, failedChecks: {}, bytesIn: 0, bytesOut: 0,
          latency: requests === 5 ? encodeHistogram(hist) : emptyHistogramEncoded(), serviceTime: emptyHistogramEncoded() }],
      });
      const push = (s: object) => redis.xadd(redisKeys.stream, '*', 'data', JSON.stringify(s));
      const totals = async () => {
        const intervals = (await cluster.api.request('GET', `/campaigns/${key}/intervals`)).body as any[];
        const c = (await cluster.api.request('GET', `/campaigns/${key}`)).body;
        return { intervals: intervals.reduce((n, r) => n + r.count, 0), campaign: c.totals.requests };
      };
      const dup0 = await headCounter('barrage_snapshots_duplicate_total');
      const new0 = await headCounter('barrage_snapshots_ingested_total');

      // A redelivery of a snapshot already merged (seq 0) changes nothing.
      await push(snapshot(0, 5));
      await waitFor('the duplicate to be seen', async () => (await headCounter('barrage_snapshots_duplicate_total')) >= dup0 + 1, 20_000);
      expect(await totals()).toEqual({ intervals: 1000, campaign: 1000 });

      // Two new snapshots out of order (seq n+2 before n+1) both count, once.
      await push(snapshot(far + 1, 5));
      await push(snapshot(far, 0));
      await waitFor('both new snapshots to merge', async () => (await headCounter('barrage_snapshots_ingested_total')) >= new0 + 2, 20_000);
      expect(await totals()).toEqual({ intervals: 1005, campaign: 1005 });

      // Replayed again, in any order: still counted once.
      await push(snapshot(far, 0));
      await push(snapshot(far + 1, 5));
      await waitFor('the replays to be seen', async () => (await headCounter('barrage_snapshots_duplicate_total')) >= dup0 + 3, 20_000);
      expect(await totals()).toEqual({ intervals: 1005, campaign: 1005 });

      // A snapshot that can never merge (its chunk does not exist) written together with a good
      // one, so that the head reads them as one batch: the batch fails, each is retried alone,
      // the good one counts and the bad one is dropped.
      const bad = { ...snapshot(far + 2, 5), chunkId: `${chunk.id}-gone` };
      await redis.multi().xadd(redisKeys.stream, '*', 'data', JSON.stringify(bad)).xadd(redisKeys.stream, '*', 'data', JSON.stringify(snapshot(far + 2, 5))).exec();
      await waitFor('the good one to merge', async () => (await headCounter('barrage_snapshots_ingested_total')) >= new0 + 3, 20_000);
      expect(await totals()).toEqual({ intervals: 1010, campaign: 1010 });
      await waitFor('the stream to be drained', async () => (await redis.xlen(redisKeys.stream)) === 0, 20_000);
    } finally {
      redis.disconnect();
    }
  });
});

it('resumes a live stream mid-run from Last-Event-ID with no duplicate', async () => {
  await saveScenario('m-loop', [{ name: 'slow', method: 'GET', url: '{{base}}/slow/20' }], { loop: true });
  const key = await createCampaign({
    name: 'live',
    startOffsetMs: 300,
    timeoutMs: 6000,
    scenarios: { 'm-loop': { minionsCount: 5, zones: { [zone]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } },
  });
  const url = `${cluster.api.base}/campaigns/${key}/live`;
  const auth = { authorization: `Bearer ${cluster.api.key}` };
  const first = await readSse(url, { headers: auth, stop: (ev) => metricsOf(ev).length >= 2, timeoutMs: 60_000 });
  const firstMetrics = metricsOf(first.events);
  expect(firstMetrics).toHaveLength(2);
  expectContiguous(firstMetrics);
  expect(first.events[0]!.event).toBe('status');
  // The campaign was still running when the client left.
  expect((await cluster.api.request('GET', `/campaigns/${key}`)).body.status).toMatch(/running|queued|initializing/);

  const second = await readSse(url, { headers: { ...auth, 'last-event-id': '1' }, timeoutMs: 60_000 });
  expect(second.ended).toBe(true);
  const secondMetrics = metricsOf(second.events);
  expect(secondMetrics.length).toBeGreaterThan(0);
  expectContiguous(secondMetrics, 2);
  expect(second.events.at(-1)!.event).toBe('complete');
  expect(second.events.filter((e) => e.event === 'status').map((e) => e.data.status)).toContain('completed');

  // Cumulative numbers carry on across the reconnection, and end at the report's count.
  const all = [...firstMetrics, ...secondMetrics];
  let sum = 0;
  for (const e of all) {
    sum += e.data.interval.requests;
    expect(e.data.totalRequests).toBe(sum);
  }
  const report = (await cluster.api.request('GET', `/campaigns/${key}/report`)).body;
  expect(sum).toBe(report.summary.requests);
  expect(target.stats.total).toBe(report.summary.requests);

  expect((await cluster.api.request('GET', `/campaigns/${key}/live?lastEventId=abc`)).status).toBe(400);
  expect((await cluster.api.request('GET', '/campaigns/nope/live')).status).toBe(404);
});

it('aborts a running campaign on an abortOnFail threshold, and samples its failures', async () => {
  await saveScenario('m-fail', [{ name: 'broken', method: 'GET', url: '{{base}}/status/500', checks: [{ status: [200], name: 'is 200' }] }]);
  const key = await createCampaign({
    name: 'abort on fail',
    startOffsetMs: 300,
    scenarios: { 'm-fail': { zones: { [zone]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 50, durationMs: 60_000 } } },
    thresholds: { 'm-fail': [{ threshold: 'errorRate < 0.1', abortOnFail: true, delayAbortEvalMs: 1000 }] },
  });
  const done = await waitForEnd(cluster.api, key, 45_000);
  expect(done.status).toBe('aborted');
  expect(done.result).toBe('failed');
  expect(done.failureReason).toMatch(/threshold "errorRate < 0.1" of m-fail breached \(observed 1\)/);
  expect(done.resultDetails).toEqual([expect.objectContaining({ expression: 'errorRate < 0.1', passed: false, observed: 1, abortOnFail: true })]);
  // Aborted long before its 60 s plan of 3000 arrivals.
  await new Promise((r) => setTimeout(r, 1500));
  expect(target.stats.total).toBeLessThan(1000);

  const { events } = await readSse(`${cluster.api.base}/campaigns/${key}/live`, { headers: { authorization: `Bearer ${cluster.api.key}` }, timeoutMs: 30_000 });
  expect(events.find((e) => e.event === 'threshold')?.data).toMatchObject({ expression: 'errorRate < 0.1', passed: false, observed: 1 });
  expect(events.at(-1)).toMatchObject({ event: 'complete', data: { status: 'aborted', result: 'failed' } });

  const errors = errorsSchema.parse((await cluster.api.request('GET', `/campaigns/${key}/errors`)).body);
  expect(errors.kinds[0]).toMatchObject({ kind: 'check_failed' });
  expect(errors.kinds[0].count).toBeGreaterThan(10);
  expect(errors.kinds[0].samples.length).toBeGreaterThan(0);
  expect(errors.kinds[0].samples.length).toBeLessThanOrEqual(10);
  expect(errors.kinds[0].samples[0]).toMatchObject({ request: `GET ${target.url}/status/500`, status: 500, message: 'is 200', step: 'broken', zone });
  expect(errors.checks).toEqual([{ check: 'is 200', failed: errors.kinds[0].count }]);
});

it('refuses a bad threshold with a 400 naming each one', async () => {
  const res = await cluster.api.request('POST', '/campaigns', {
    name: 'bad thresholds',
    scenarios: { 'm-fail': { zones: { [zone]: 100 } } },
    thresholds: { 'm-fail': ['p42 < 3', 'p95 < 250'], 'm-fail.nope': ['p95 < 1'], ghost: ['p95 < 1'] },
  });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_FAILED');
  const paths = res.body.error.details.map((d: { path: string }) => d.path);
  expect(paths).toEqual(expect.arrayContaining(['thresholds.m-fail.0', 'thresholds.m-fail.nope', 'thresholds.ghost']));
  expect(paths).not.toContain('thresholds.m-fail.1');
  expect(res.body.error.message).toMatch(/p42/);
});
