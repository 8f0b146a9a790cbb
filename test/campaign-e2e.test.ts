/**
 * The first slice end to end: a real head and two factories in two zones as separate
 * processes, a campaign against a local target that counts what it receives.
 */
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { startCluster, waitFor, waitForEnd, type Cluster } from './support/cluster';

jest.setTimeout(180_000);

let cluster: Cluster;
let target: RunningTarget;

beforeAll(async () => {
  target = await startTarget();
  cluster = await startCluster({ factories: [{ zone: 'west', capacity: 100 }, { zone: 'east', capacity: 100 }] });
});

afterAll(async () => {
  const codes = await cluster?.stop();
  await target?.close();
  // Every process handles SIGTERM cleanly.
  expect(codes).toEqual(codes?.map(() => 0));
});

beforeEach(() => target.reset());

async function saveScenario(name: string, steps: unknown[], extra: Record<string, unknown> = {}) {
  const res = await cluster.api.request('POST', '/scenarios', { name, variables: { base: target.url }, steps, ...extra });
  expect(res.status).toBe(201);
  return res.body;
}

it('runs 200 minions over two zones at 45/55: target, report and intervals agree, and the split is exact', async () => {
  const [west, east] = cluster.zones;
  await saveScenario('e2e-one-get', [{ name: 'hello', method: 'GET', url: '{{base}}/hello', checks: [{ status: [200] }] }]);
  const created = await cluster.api.request('POST', '/campaigns', {
    name: 'e2e split',
    startOffsetMs: 200,
    scenarios: { 'e2e-one-get': { minionsCount: 200, zones: { [west!]: 45, [east!]: 55 }, executionProfile: { profile: 'IMMEDIATELY' } } },
  });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toBe(`/campaigns/${created.body.key}`);
  const key = created.body.key as string;

  const done = await waitForEnd(cluster.api, key);
  expect(done.status).toBe('completed');
  expect(done.result).toBe('passed');
  expect(done.statusHistory.map((h: { status: string }) => h.status)).toEqual(['created', 'queued', 'initializing', 'running', 'processing_metrics', 'completed']);

  const report = (await cluster.api.request('GET', `/campaigns/${key}/report`)).body;
  const intervals = (await cluster.api.request('GET', `/campaigns/${key}/intervals`)).body as { count: number }[];
  const intervalSum = intervals.reduce((n, r) => n + r.count, 0);
  expect(intervals.reduce((n, r: any) => n + r.minionsStarted, 0)).toBe(200);

  expect(target.stats.total).toBe(200);
  expect(report.summary.requests).toBe(200);
  expect(intervalSum).toBe(200);
  expect(report.summary.failures).toBe(0);
  expect(report.summary.minionsStarted).toBe(200);
  expect(done.totals.requests).toBe(200);
  expect(report.latency.count).toBe(200);
  expect(report.latency.p50).toBeGreaterThan(0);
  expect(report.statusCodes).toEqual({ '200': 200 });

  // The zone split is exact: 90 / 110, in the plan and in what each zone's factory sent.
  const execution = (await cluster.api.request('GET', `/campaigns/${key}/execution`)).body;
  const minionsOf = (zone: string) => execution.zones.find((z: { zone: string }) => z.zone === zone).chunks.reduce((n: number, c: { minions: number }) => n + c.minions, 0);
  expect(minionsOf(west!)).toBe(90);
  expect(minionsOf(east!)).toBe(110);
  const zonesReport = report.scenarios[0].steps[0].zones as { zone: string; requests: number }[];
  expect(Object.fromEntries(zonesReport.map((z) => [z.zone, z.requests]))).toEqual({ [west!]: 90, [east!]: 110 });
  // Each factory's own Prometheus counter agrees with what its zone sent (this is the first
  // campaign these factories ran; the counter has no per-campaign label, to stay bounded).
  for (const f of cluster.factories) {
    const text = await (await fetch(f.metricsUrl)).text();
    const sent = /^barrage_factory_requests_total (\d+)/m.exec(text);
    expect(Number(sent?.[1])).toBe(f.zone === west ? 90 : 110);
  }
  const headMetrics = await (await fetch(`${cluster.api.base}/metrics`)).text();
  expect(headMetrics).toMatch(/barrage_campaigns\{status="completed"\} [1-9]/);
  expect(headMetrics).toMatch(/barrage_snapshots_ingested_total [1-9]/);
  for (const zone of execution.zones) {
    for (const chunk of zone.chunks) {
      expect(chunk.status).toBe('finished');
      expect(chunk.factoryId).toBe(cluster.factories.find((f) => f.zone === zone.zone)!.id);
    }
  }
});

it('runs a REGULAR profile with two steps and counts check failures by name', async () => {
  await saveScenario('e2e-two-steps', [
    { name: 'first', method: 'GET', url: '{{base}}/first', checks: [{ status: [200] }] },
    { name: 'missing', method: 'POST', url: '{{base}}/status/404', body: { json: { a: 1 } }, checks: [{ status: [200], name: 'is-ok' }] },
  ]);
  const created = await cluster.api.request('POST', '/campaigns', {
    name: 'e2e regular',
    startOffsetMs: 100,
    scenarios: { 'e2e-two-steps': { minionsCount: 20, executionProfile: { profile: 'REGULAR', periodInMs: 100, minionsCountProLaunch: 5 } } },
  });
  expect(created.status).toBe(201);
  const done = await waitForEnd(cluster.api, created.body.key);
  expect(done.status).toBe('completed');
  const report = (await cluster.api.request('GET', `/campaigns/${created.body.key}/report`)).body;
  expect(target.stats.byPath).toEqual({ '/first': 20, '/status/404': 20 });
  expect(report.summary.requests).toBe(40);
  expect(report.summary.failures).toBe(20);
  expect(report.errors.byCheck).toEqual({ 'is-ok': 20 });
  expect(report.errors.byKind).toEqual({ check_failed: 20 });
  const steps = Object.fromEntries(report.scenarios[0].steps.map((s: { name: string; requests: number; failures: number }) => [s.name, [s.requests, s.failures]]));
  expect(steps).toEqual({ first: [20, 0], missing: [20, 20] });
});

describe('timeouts and abort', () => {
  const loopScenario = () => saveScenario('e2e-loop', [{ name: 'slow', url: '{{base}}/slow/100' }], { loop: true });
  const chunksDone = (key: string) =>
    waitFor('every chunk to finish', async () => {
      const ex = (await cluster.api.request('GET', `/campaigns/${key}/execution`)).body;
      return ex.zones.every((z: { chunks: { status: string }[] }) => z.chunks.every((c) => ['finished', 'failed'].includes(c.status)));
    });

  it('a soft timeout stops new iterations and completes, counting exactly what was sent', async () => {
    await loopScenario();
    const created = await cluster.api.request('POST', '/campaigns', {
      name: 'e2e soft timeout',
      startOffsetMs: 100,
      timeoutMs: 1000,
      scenarios: { 'e2e-loop': { minionsCount: 4, zones: { [cluster.zones[0]!]: 100 } } },
    });
    expect(created.status).toBe(201);
    const done = await waitForEnd(cluster.api, created.body.key);
    expect([done.status, done.result]).toEqual(['completed', 'passed']);
    const report = (await cluster.api.request('GET', `/campaigns/${created.body.key}/report`)).body;
    // ~10 iterations per minion in 1 s of 100 ms requests
    expect(target.stats.total).toBeGreaterThanOrEqual(20);
    expect(report.summary.requests).toBe(target.stats.total);
  });

  it('a hard timeout stops every minion at once and fails the campaign with a reason', async () => {
    await loopScenario();
    const created = await cluster.api.request('POST', '/campaigns', {
      name: 'e2e hard timeout',
      startOffsetMs: 100,
      timeoutMs: 1000,
      hardTimeout: true,
      scenarios: { 'e2e-loop': { minionsCount: 4, zones: { [cluster.zones[0]!]: 100 } } },
    });
    const done = await waitForEnd(cluster.api, created.body.key);
    expect([done.status, done.result]).toEqual(['failed', 'error']);
    expect(done.failureReason).toMatch(/hard timeout of 1000 ms/);
    await chunksDone(created.body.key);
    await new Promise((r) => setTimeout(r, 1500)); // the factories' last snapshots
    const report = (await cluster.api.request('GET', `/campaigns/${created.body.key}/report`)).body;
    // Requests cut in flight reached the target but have no response to record: at most one per minion.
    expect(target.stats.total - report.summary.requests).toBeGreaterThanOrEqual(0);
    expect(target.stats.total - report.summary.requests).toBeLessThanOrEqual(4);
    expect(report.summary.requests).toBeGreaterThanOrEqual(20);
  });

  it('abort ends a running campaign, and a second abort is a 409', async () => {
    await loopScenario();
    const created = await cluster.api.request('POST', '/campaigns', {
      name: 'e2e abort',
      startOffsetMs: 100,
      timeoutMs: 60_000,
      scenarios: { 'e2e-loop': { minionsCount: 2, zones: { [cluster.zones[1]!]: 100 } } },
    });
    await waitFor('requests to arrive', async () => target.stats.total > 4);
    const aborted = await cluster.api.request('POST', `/campaigns/${created.body.key}/abort`, { hard: false });
    expect(aborted.status).toBe(202);
    expect(aborted.body.status).toBe('aborted');
    await chunksDone(created.body.key);
    const again = await cluster.api.request('POST', `/campaigns/${created.body.key}/abort`, {});
    expect([again.status, again.body.error.code]).toEqual([409, 'CONFLICT']);
    const seen = target.stats.total;
    await new Promise((r) => setTimeout(r, 500));
    expect(target.stats.total).toBe(seen);
  });
});

describe('the API refuses bad input with the error shape of docs/api.md#errors', () => {
  const expectError = (res: { status: number; body: any }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
  };

  it('malformed JSON is a 400', async () => {
    expectError(await cluster.api.request('POST', '/campaigns', undefined, '{"name": '), 400, 'MALFORMED_JSON');
  });

  it('an unknown scenario is a 400 naming it', async () => {
    const res = await cluster.api.request('POST', '/campaigns', { name: 'x', scenarios: { 'no-such-scenario': { minionsCount: 1 } } });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details[0].path).toBe('scenarios.no-such-scenario');
  });

  it('zones that do not sum to 100 are a 400 naming the path', async () => {
    await saveScenario('e2e-zones', [{ name: 'a', url: '{{base}}/' }]);
    const [west, east] = cluster.zones;
    const res = await cluster.api.request('POST', '/campaigns', { name: 'x', scenarios: { 'e2e-zones': { zones: { [west!]: 40, [east!]: 50 } } } });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details[0].path).toBe('scenarios.e2e-zones.zones');
    expect(res.body.error.message).toMatch(/sum to 90, not 100/);
  });

  it('a zone without a live factory is a 400 naming the zone', async () => {
    await saveScenario('e2e-zones', [{ name: 'a', url: '{{base}}/' }]);
    const res = await cluster.api.request('POST', '/campaigns', { name: 'x', scenarios: { 'e2e-zones': { zones: { 'nowhere-1': 100 } } } });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.message).toMatch(/nowhere-1/);
  });

  it('a bad execution profile is a 400 naming each field', async () => {
    await saveScenario('e2e-zones', [{ name: 'a', url: '{{base}}/' }]);
    const res = await cluster.api.request('POST', '/campaigns', {
      name: 'x',
      scenarios: {
        'e2e-zones': {
          executionProfile: { profile: 'STAGE', stages: [{ minionsCount: 5, rampUpDurationMs: 100, totalDurationMs: 50, resolutionMs: 500 }] },
        },
      },
    });
    expectError(res, 400, 'VALIDATION_FAILED');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['scenarios.e2e-zones.executionProfile.stages.0.rampUpDurationMs']));
    expect(JSON.stringify(res.body.error.details)).toMatch(/resolutionMs/);
    const rate = await cluster.api.request('POST', '/campaigns', {
      name: 'x',
      scenarios: { 'e2e-zones': { executionProfile: { profile: 'CONSTANT_RATE', rate: 0, durationMs: 1000 } } },
    });
    expectError(rate, 400, 'VALIDATION_FAILED');
    expect(rate.body.error.details[0].path).toBe('scenarios.e2e-zones.executionProfile.rate');
  });

  it('a bad scenario is a 400 with every problem', async () => {
    const res = await cluster.api.request('POST', '/scenarios', { name: 'bad name!', steps: [{ name: 'a', url: 'ftp://x' }] });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['name', 'steps.0.url']);
  });

  it('unknown campaigns are 404, HEAD included, and bad query parameters 400', async () => {
    expectError(await cluster.api.request('GET', '/campaigns/nope'), 404, 'NOT_FOUND');
    expect((await cluster.api.request('HEAD', '/campaigns/nope')).status).toBe(404);
    expectError(await cluster.api.request('GET', '/campaigns?size=1000'), 400, 'VALIDATION_FAILED');
    expectError(await cluster.api.request('GET', '/campaigns?sort=colour:asc'), 400, 'VALIDATION_FAILED');
    const some = (await cluster.api.request('GET', '/campaigns?size=1')).body.elements[0].key;
    expectError(await cluster.api.request('GET', `/campaigns/${some}/intervals?since=yesterday`), 400, 'VALIDATION_FAILED');
    expectError(await cluster.api.request('GET', '/no/such/route'), 404, 'NOT_FOUND');
    expectError(await cluster.api.request('POST', '/scenarios', undefined, JSON.stringify({ name: 'big', description: 'x'.repeat(2_000_000), steps: [] })), 413, 'PAYLOAD_TOO_LARGE');
  });
});

it('lists and searches campaigns with paging', async () => {
  const res = await cluster.api.request('GET', '/campaigns?filter=e2e*&sort=creation:asc&size=1&page=0');
  expect(res.status).toBe(200);
  expect(res.body.size).toBe(1);
  expect(res.body.totalElements).toBeGreaterThanOrEqual(2);
  expect(res.body.totalPages).toBe(res.body.totalElements);
  const byName = (await cluster.api.request('GET', '/campaigns?filter=e2e*&sort=name:desc&size=100')).body.elements.map((c: { name: string }) => c.name);
  expect(byName.length).toBeGreaterThanOrEqual(2);
  expect(byName).toEqual([...byName].sort().reverse());
  const second = (await cluster.api.request('GET', '/campaigns?filter=e2e*&sort=name:desc&size=1&page=1')).body.elements[0].name;
  expect(second).toBe(byName[1]);
  const none = await cluster.api.request('GET', '/campaigns?filter=no-campaign-has-this-name');
  expect([none.body.totalElements, none.body.totalPages, none.body.elements]).toEqual([0, 0, []]);
  const all = await cluster.api.request('GET', '/campaigns?filter=E2E%20SPLIT');
  expect(all.body.elements.every((c: { name: string }) => c.name === 'e2e split')).toBe(true);
  const docs = await cluster.api.request('GET', '/docs');
  expect(docs.body.openapi).toBe('3.0.3');
  expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/campaigns', '/campaigns/{key}/report', '/scenarios']));
  const health = await cluster.api.request('GET', '/health');
  expect(health.body).toMatchObject({ status: 'healthy', services: { database: 'up', redis: 'up' } });
});
