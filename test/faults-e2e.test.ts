/**
 * Faults (docs/architecture.md#faults): a factory killed mid-chunk is taken over by another of its zone, a
 * factory stopped with SIGTERM hands its chunk back, a zone that loses its only factory runs
 * degraded and says so, and a campaign that loses every chunk fails at once. The target
 * counts what really arrived.
 */
import { executionSchema } from '@barrage/contracts';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { startCluster, stopChild, waitFor, waitForEnd, type Cluster } from './support/cluster';

jest.setTimeout(300_000);

let target: RunningTarget;

beforeAll(async () => {
  target = await startTarget();
});

afterAll(async () => {
  await target?.close();
});

async function saveScenario(cluster: Cluster, name: string) {
  const res = await cluster.api.request('POST', '/scenarios', { name, variables: { base: target.url }, steps: [{ name: 'get', method: 'GET', url: '{{base}}/f', checks: [{ status: [200] }] }] });
  expect(res.status).toBe(201);
}

/** Waits until `ms` after the campaign's start instant. */
async function atOffset(cluster: Cluster, key: string, ms: number) {
  const c = await waitFor('the start instant', async () => {
    const body = (await cluster.api.request('GET', `/campaigns/${key}`)).body;
    return body.startedAt ? body : null;
  }, 60_000, 50);
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(c.startedAt) + ms - Date.now())));
}

function chunkOf(execution: any, factoryId: string) {
  return execution.zones.flatMap((z: any) => z.chunks).find((k: any) => k.runs.some((r: any) => r.factoryId === factoryId));
}

describe('three factories in one zone', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ factories: [{ zone: 'pool' }, { zone: 'pool' }, { zone: 'pool' }] });
    await saveScenario(cluster, 'fault-get');
  });

  afterAll(async () => {
    const codes = await cluster?.stop();
    // The killed factory has no exit code; the one stopped with SIGTERM exited 0 on its own.
    expect(codes?.slice(2)).toEqual([0, 0]);
  });

  beforeEach(() => target.reset());

  it('takes over the chunk of a factory killed mid-run: the campaign completes with its plan', async () => {
    const [pool] = cluster.zones;
    const created = await cluster.api.request('POST', '/campaigns', {
      name: 'sigkill',
      startOffsetMs: 500,
      scenarios: { 'fault-get': { zones: { [pool!]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 200, durationMs: 20_000, maxInFlight: 2000 } } },
    });
    expect(created.status).toBe(201);
    const key = created.body.key;
    await atOffset(cluster, key, 5000);
    const victim = cluster.factories[0]!;
    victim.process.kill('SIGKILL');

    const done = await waitForEnd(cluster.api, key, 120_000);
    const report = (await cluster.api.request('GET', `/campaigns/${key}/report`)).body;
    expect(done.status).toBe('completed');
    expect(done.result).toBe('passed');
    // The plan was 4000 arrivals: the takeover resumed from the last snapshot, so the total
    // is within 2 % of it, and the target saw what the report says plus at most the
    // victim's last unreported interval (~67 requests at its 1/3 share of 200/s).
    expect(Math.abs(report.summary.requests - 4000)).toBeLessThanOrEqual(80);
    expect(target.stats.total - report.summary.requests).toBeGreaterThanOrEqual(0);
    expect(target.stats.total - report.summary.requests).toBeLessThanOrEqual(150);

    const execution = executionSchema.parse((await cluster.api.request('GET', `/campaigns/${key}/execution`)).body);
    const taken = chunkOf(execution, victim.id);
    expect(taken.status).toBe('finished');
    expect(taken.runs.map((r: any) => r.outcome)).toEqual(['lost', 'finished']);
    expect(taken.runs[1].factoryId).not.toBe(victim.id);
    const logs = (await cluster.api.request('GET', `/campaigns/${key}/logs`)).body.map((e: any) => e.message).join('\n');
    expect(logs).toContain(`taken over by factory ${taken.runs[1].factoryId}`);
  });

  it('hands a chunk back on SIGTERM: another factory continues it and nothing is lost or doubled', async () => {
    const [pool] = cluster.zones;
    const created = await cluster.api.request('POST', '/campaigns', {
      name: 'sigterm',
      startOffsetMs: 500,
      scenarios: { 'fault-get': { zones: { [pool!]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 200, durationMs: 10_000, maxInFlight: 2000 } } },
    });
    expect(created.status).toBe(201);
    const key = created.body.key;
    await atOffset(cluster, key, 4000);
    const leaving = cluster.factories[1]!;
    expect(await stopChild(leaving.process, 20_000)).toBe(0);

    const done = await waitForEnd(cluster.api, key, 120_000);
    const report = (await cluster.api.request('GET', `/campaigns/${key}/report`)).body;
    expect(done.status).toBe('completed');
    expect(done.result).toBe('passed');
    expect(report.summary.requests).toBe(2000);
    expect(target.stats.total).toBe(2000);
    const execution = (await cluster.api.request('GET', `/campaigns/${key}/execution`)).body;
    const handed = chunkOf(execution, leaving.id);
    expect(handed.runs.map((r: any) => [r.factoryId, r.outcome])).toEqual([
      [leaving.id, 'handed_back'],
      [cluster.factories[2]!.id, 'finished'],
    ]);
    const logs = (await cluster.api.request('GET', `/campaigns/${key}/logs`)).body.map((e: any) => e.message).join('\n');
    expect(logs).toContain(`handed back by factory ${leaving.id}`);
    expect(logs).not.toContain('lost chunk');
  });
});

describe('zones that lose their only factory', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ factories: [{ zone: 'solo' }, { zone: 'other' }, { zone: 'alone' }] });
    await saveScenario(cluster, 'fault-solo');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  beforeEach(() => target.reset());

  it('runs degraded and ends `error` naming the zone, the share and the time', async () => {
    const [solo, other] = cluster.zones;
    const created = await cluster.api.request('POST', '/campaigns', {
      name: 'degraded',
      startOffsetMs: 500,
      scenarios: { 'fault-solo': { zones: { [solo!]: 50, [other!]: 50 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 100, durationMs: 10_000 } } },
    });
    const key = created.body.key;
    await atOffset(cluster, key, 3000);
    cluster.factories[0]!.process.kill('SIGKILL');
    const done = await waitForEnd(cluster.api, key, 120_000);
    expect(done.status).toBe('completed');
    expect(done.result).toBe('error');
    expect(done.failureReason).toMatch(new RegExp(`^the campaign ran degraded: zone ${solo} lost chunk \\S+ \\(100% of the zone's share\\) at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z when factory ${cluster.factories[0]!.id} stopped; no other factory took it over$`));
    // The other zone delivered its whole half.
    const report = (await cluster.api.request('GET', `/campaigns/${key}/report`)).body;
    const zones = Object.fromEntries(report.scenarios[0].steps[0].zones.map((z: any) => [z.zone, z.requests]));
    expect(zones[other!]).toBe(500);
    expect(zones[solo!]).toBeLessThan(500);
  });

  it('fails at once when every chunk is lost', async () => {
    const alone = cluster.zones[2]!;
    const created = await cluster.api.request('POST', '/campaigns', {
      name: 'all lost',
      startOffsetMs: 500,
      scenarios: { 'fault-solo': { zones: { [alone]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 50, durationMs: 60_000 } } },
    });
    const key = created.body.key;
    await atOffset(cluster, key, 2000);
    const killedAt = Date.now();
    cluster.factories[2]!.process.kill('SIGKILL');
    const done = await waitForEnd(cluster.api, key, 30_000);
    expect(done.status).toBe('failed');
    expect(done.result).toBe('error');
    expect(done.failureReason).toMatch(new RegExp(`^every chunk was lost: zone ${alone} lost chunk`));
    // Long before its 60 s plan would have ended.
    expect(Date.parse(done.endedAt) - killedAt).toBeLessThan(40_000);
  });
});
