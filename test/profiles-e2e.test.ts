/**
 * Execution profiles end to end (docs/api.md#execution-profiles): the arrival curve a target records follows the
 * plan, speedFactor compresses it, and the open model keeps its schedule and counts drops.
 */
import { planLines, executionProfileSchema, type ClosedProfile } from '@barrage/planning';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { startCluster, waitForEnd, type Cluster } from './support/cluster';

jest.setTimeout(240_000);

let cluster: Cluster;
let target: RunningTarget;

beforeAll(async () => {
  target = await startTarget({ recordArrivals: true });
  cluster = await startCluster({
    factories: [
      { zone: 'north', capacity: 100 },
      { zone: 'north', capacity: 300 },
      { zone: 'south', capacity: 200 },
      { zone: 'south', capacity: 200 },
    ],
  });
});

afterAll(async () => {
  const codes = await cluster?.stop();
  await target?.close();
  expect(codes).toEqual(codes?.map(() => 0));
});

beforeEach(() => target.reset());

const stage = {
  profile: 'STAGE',
  stages: [
    { minionsCount: 20, rampUpDurationMs: 2000, totalDurationMs: 3000, resolutionMs: 500 },
    { minionsCount: 20, rampUpDurationMs: 1000, totalDurationMs: 2000, resolutionMs: 500 },
  ],
  completion: 'GRACEFUL',
};

async function runStage(speedFactor: number) {
  const [north, south] = cluster.zones;
  await cluster.api.request('POST', '/scenarios', {
    name: 'e2e-stage',
    variables: { base: target.url },
    // Each minion's first request carries iteration 0: its arrival marks the minion's start.
    steps: [{ name: 'tick', url: '{{base}}/it/{{$iteration}}', checks: [{ status: [200] }], thinkTimeMs: 50 }],
  });
  const created = await cluster.api.request('POST', '/campaigns', {
    name: `e2e stage x${speedFactor}`,
    speedFactor,
    startOffsetMs: 300,
    scenarios: { 'e2e-stage': { zones: { [north!]: 50, [south!]: 50 }, executionProfile: stage } },
  });
  expect(created.status).toBe(201);
  const done = await waitForEnd(cluster.api, created.body.key);
  expect(done.status).toBe('completed');
  const startAt = Date.parse(done.startedAt);
  const report = (await cluster.api.request('GET', `/campaigns/${created.body.key}/report`)).body;
  const execution = (await cluster.api.request('GET', `/campaigns/${created.body.key}/execution`)).body;
  return { startAt, report, execution, arrivals: target.stats.arrivals, byPath: target.stats.byPath, total: target.stats.total };
}

function expectCurveFollowsPlan(run: Awaited<ReturnType<typeof runStage>>, speedFactor: number) {
  const lines = planLines(executionProfileSchema.parse(stage) as ClosedProfile, 0, speedFactor);
  const firsts = run.arrivals.filter((a) => a.path === '/it/0').map((a) => a.at - run.startAt);
  expect(firsts).toHaveLength(40);
  // Halfway between two lines, exactly the minions of the earlier lines have started.
  for (let i = 0; i < lines.length; i++) {
    const next = lines[i + 1]?.atMs ?? lines[i]!.atMs + 500 / speedFactor;
    const probe = (lines[i]!.atMs + next) / 2;
    const planned = lines.slice(0, i + 1).reduce((n, l) => n + l.count, 0);
    expect([probe, firsts.filter((t) => t <= probe).length]).toEqual([probe, planned]);
  }
  // No minion starts before the start instant, and none after the last line.
  expect(Math.min(...firsts)).toBeGreaterThanOrEqual(-5);
  expect(Math.max(...firsts)).toBeLessThan(lines.at(-1)!.atMs + 250 / speedFactor);
}

it('follows a STAGE plan over two zones with two factories each, and the target got what the report says', async () => {
  const run = await runStage(1);
  expectCurveFollowsPlan(run, 1);
  expect(run.report.summary.requests).toBe(run.total);
  expect(run.report.summary.minionsStarted).toBe(40);
  // Chunk shares inside a zone follow the factories' capacities (1:3 and 1:1), exactly.
  const minions = Object.fromEntries(run.execution.zones.map((z: { zone: string; chunks: { minions: number }[] }) => [z.zone, z.chunks.map((c) => c.minions)]));
  expect(minions).toEqual({ [cluster.zones[0]!]: [5, 15], [cluster.zones[1]!]: [10, 10] });
  // GRACEFUL: minions stop replaying at the end of the last stage (5 s), finishing what runs.
  const last = Math.max(...run.arrivals.map((a) => a.at)) - run.startAt;
  expect(last).toBeLessThan(5000 + 1000);
  expect(last).toBeGreaterThan(4000);
});

it('speedFactor 2 halves every offset and the duration', async () => {
  const run = await runStage(2);
  expectCurveFollowsPlan(run, 2);
  expect(run.report.summary.requests).toBe(run.total);
  const last = Math.max(...run.arrivals.map((a) => a.at)) - run.startAt;
  expect(last).toBeLessThan(2500 + 500);
  expect(last).toBeGreaterThan(2000);
});

describe('open model', () => {
  it('CONSTANT_RATE delivers its arrivals on schedule, split exactly over four factories', async () => {
    await cluster.api.request('POST', '/scenarios', { name: 'e2e-rate', variables: { base: target.url }, steps: [{ name: 'hit', url: '{{base}}/rate' }] });
    const created = await cluster.api.request('POST', '/campaigns', {
      name: 'e2e constant rate',
      // No head start: the factories learn the start instant from the announcement as it is fixed.
      startOffsetMs: 0,
      scenarios: { 'e2e-rate': { executionProfile: { profile: 'CONSTANT_RATE', rate: 400, durationMs: 3000, maxInFlight: 200 } } },
    });
    expect(created.status).toBe(201);
    const done = await waitForEnd(cluster.api, created.body.key);
    expect(done.status).toBe('completed');
    const startAt = Date.parse(done.startedAt);
    const report = (await cluster.api.request('GET', `/campaigns/${created.body.key}/report`)).body;
    expect(target.stats.total).toBe(1200);
    expect(report.summary.requests).toBe(1200);
    expect(report.summary.droppedIterations).toBe(0);
    expect(report.rateControl).toEqual([expect.objectContaining({ scenario: 'e2e-rate', targetIterations: 1200, startedIterations: 1200, droppedIterations: 0 })]);
    // Per interval, the plan's due arrivals are reported beside those started.
    const rows = (await cluster.api.request('GET', `/campaigns/${created.body.key}/intervals`)).body as { targetArrivals: number; minionsStarted: number }[];
    expect(rows.reduce((n, r) => n + r.targetArrivals, 0)).toBe(1200);
    expect(rows.reduce((n, r) => n + r.minionsStarted, 0)).toBe(1200);
    // Each second of the plan received its 400 arrivals (± a few at the edges from timer jitter).
    const rel = target.stats.arrivals.map((a) => a.at - startAt);
    for (const second of [0, 1, 2]) {
      const n = rel.filter((t) => t >= second * 1000 && t < (second + 1) * 1000).length;
      expect(Math.abs(n - 400)).toBeLessThanOrEqual(20);
    }
  });

  it('drops and counts the arrivals that find maxInFlight iterations outstanding', async () => {
    const [north] = cluster.zones;
    await cluster.api.request('POST', '/scenarios', { name: 'e2e-slow', variables: { base: target.url }, steps: [{ name: 'slow', url: '{{base}}/slow/200' }] });
    const created = await cluster.api.request('POST', '/campaigns', {
      name: 'e2e dropped',
      startOffsetMs: 300,
      // 100 arrivals/s against 200 ms responses needs ~20 in flight; 4 per factory cannot keep up.
      scenarios: { 'e2e-slow': { zones: { [north!]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 100, durationMs: 2000, maxInFlight: 4 } } },
    });
    expect(created.status).toBe(201);
    const done = await waitForEnd(cluster.api, created.body.key);
    expect(done.status).toBe('completed');
    const report = (await cluster.api.request('GET', `/campaigns/${created.body.key}/report`)).body;
    const dropped = report.summary.droppedIterations;
    expect(dropped).toBeGreaterThan(0);
    // Every planned arrival either reached the target or was dropped and counted: none silently delayed.
    expect(target.stats.total + dropped).toBe(200);
    expect(report.summary.requests).toBe(target.stats.total);
    // Two factories, 4 slots each, 200 ms per request: at most ~40 per second get through.
    expect(target.stats.total).toBeLessThanOrEqual(100);
    // Latency is measured from the intended start: queueing behind the cap does not hide.
    expect(report.latency.min).toBeGreaterThanOrEqual(195);
  });
});

// Before it is ready, each chunk runs its own model and scenario against a server inside its
// factory (ChunkRunner.warmUp), here with iterations that are still in a think time far longer
// than the warm-up when it ends: none of them may reach the target, then or later.
describe('the warm-up before the start', () => {
  const thinking = (name: string) => ({
    name,
    variables: { base: target.url },
    steps: [
      { name: 'a', url: `{{base}}/${name}/a/{{$iteration}}`, thinkTimeMs: 2500 },
      { name: 'b', url: `{{base}}/${name}/b`, thinkTimeMs: 2500 },
    ],
  });

  async function run(name: string, executionProfile: object) {
    await cluster.api.request('POST', '/scenarios', thinking(name));
    const created = await cluster.api.request('POST', '/campaigns', { name: `e2e warm-up ${name}`, startOffsetMs: 300, scenarios: { [name]: { minionsCount: 8, executionProfile } } });
    expect(created.status).toBe(201);
    const done = await waitForEnd(cluster.api, created.body.key);
    expect(done.status).toBe('completed');
    // Long enough for a warm-up iteration left thinking to have sent its next step.
    await new Promise((r) => setTimeout(r, 3000));
    const report = (await cluster.api.request('GET', `/campaigns/${created.body.key}/report`)).body;
    const startAt = Date.parse(done.startedAt);
    return { report, startAt };
  }

  it('sends nothing to the target: the open model', async () => {
    const { report, startAt } = await run('warm-open', { profile: 'CONSTANT_RATE', rate: 20, durationMs: 1000 });
    expect(target.stats.byPath).toEqual({ '/warm-open/a/0': 20, '/warm-open/b': 20 });
    expect(report.summary.requests).toBe(40);
    expect(Math.min(...target.stats.arrivals.map((a) => a.at))).toBeGreaterThanOrEqual(startAt - 5);
  });

  it('sends nothing to the target: the closed model', async () => {
    const { report, startAt } = await run('warm-closed', { profile: 'IMMEDIATELY' });
    expect(target.stats.byPath).toEqual({ '/warm-closed/a/0': 8, '/warm-closed/b': 8 });
    expect(report.summary.requests).toBe(16);
    expect(Math.min(...target.stats.arrivals.map((a) => a.at))).toBeGreaterThanOrEqual(startAt - 5);
  });
});
