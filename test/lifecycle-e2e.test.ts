/**
 * The rest of a campaign's life (docs/architecture.md#lifecycle): extend a running campaign (applied live by the
 * factories), save and unsave, and the retention purge.
 */
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { startCluster, startHead, stopChild, waitFor, waitForEnd, type Api, type Cluster } from './support/cluster';

jest.setTimeout(180_000);

let cluster: Cluster;
let target: RunningTarget;
let zone: string;

beforeAll(async () => {
  target = await startTarget();
  cluster = await startCluster({ factories: [{ zone: 'life' }] });
  zone = cluster.zones[0]!;
  const res = await cluster.api.request('POST', '/scenarios', { name: 'life-get', variables: { base: target.url }, steps: [{ name: 'get', method: 'GET', url: '{{base}}/l' }] });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  const codes = await cluster?.stop();
  await target?.close();
  expect(codes).toEqual(codes?.map(() => 0));
});

beforeEach(() => target.reset());

async function create(api: Api, name: string, profile: object) {
  const res = await api.request('POST', '/campaigns', { name, startOffsetMs: 300, scenarios: { 'life-get': { minionsCount: 5, zones: { [zone]: 100 }, executionProfile: profile } } });
  expect(res.status).toBe(201);
  return res.body.key as string;
}

it('extends a running open-model campaign: the factories keep the last rate until the new end', async () => {
  const key = await create(cluster.api, 'extend', { profile: 'CONSTANT_RATE', rate: 50, durationMs: 4000 });
  await waitFor('running', async () => (await cluster.api.request('GET', `/campaigns/${key}`)).body.status === 'running', 60_000, 50);
  const extended = await cluster.api.request('POST', `/campaigns/${key}/extend`, { newDurationMs: 6000 });
  expect(extended.status).toBe(202);
  expect(extended.body.key).toBe(key);
  const done = await waitForEnd(cluster.api, key);
  expect(done.status).toBe('completed');
  const report = (await cluster.api.request('GET', `/campaigns/${key}/report`)).body;
  // 50/s for 6 s instead of 4 s: every arrival of the prolonged plan, exactly once.
  expect(report.summary.requests).toBe(300);
  expect(target.stats.total).toBe(300);
  const logs = (await cluster.api.request('GET', `/campaigns/${key}/logs`)).body.map((e: any) => e.message);
  expect(logs).toContainEqual(expect.stringMatching(/^Duration set to 6000 ms/));

  expect((await cluster.api.request('POST', `/campaigns/${key}/extend`, { newDurationMs: 9000 })).status).toBe(409);
  const bad = await cluster.api.request('POST', `/campaigns/${key}/extend`, { newDurationMs: -1 });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details[0].path).toBe('newDurationMs');
  expect((await cluster.api.request('POST', '/campaigns/nope/extend', { newDurationMs: 1000 })).status).toBe(404);
});

it('shortens a running campaign with a smaller duration', async () => {
  const key = await create(cluster.api, 'shorten', { profile: 'CONSTANT_RATE', rate: 50, durationMs: 20_000 });
  await waitFor('running', async () => (await cluster.api.request('GET', `/campaigns/${key}`)).body.status === 'running', 60_000, 50);
  expect((await cluster.api.request('POST', `/campaigns/${key}/extend`, { newDurationMs: 2000 })).status).toBe(202);
  const done = await waitForEnd(cluster.api, key, 30_000);
  expect(done.status).toBe('completed');
  // About 2 s of a 20 s plan of 1000 arrivals.
  expect(target.stats.total).toBeGreaterThan(50);
  expect(target.stats.total).toBeLessThan(200);
});

it('purges unsaved campaigns past retention and keeps saved ones, until unsaved', async () => {
  // A head whose campaigns expire ~1 s after creation, sweeping every second.
  const head = await startHead(undefined, { RETENTION_DAYS: '0.00001', RETENTION_SWEEP_MS: '1000' });
  try {
    const api = head.api;
    const kept = await create(api, 'kept', { profile: 'IMMEDIATELY' });
    const gone = await create(api, 'gone', { profile: 'IMMEDIATELY' });
    const saved = await api.request('POST', `/campaigns/${kept}/save`);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ saved: true, retentionExpiry: null });
    await waitForEnd(api, kept);
    await waitForEnd(api, gone);

    const purged = await waitFor('the unsaved campaign to be purged', async () => {
      const c = (await api.request('GET', `/campaigns/${gone}`)).body;
      return c.purgedAt ? c : null;
    }, 30_000);
    expect(purged).toMatchObject({ status: 'completed', saved: false, totals: { requests: 5 } });
    expect((await api.request('GET', `/campaigns/${gone}/intervals`)).body).toEqual([]);
    expect((await api.request('GET', `/campaigns/${gone}/logs`)).body).toEqual([]);

    const k = (await api.request('GET', `/campaigns/${kept}`)).body;
    expect(k.purgedAt).toBeNull();
    expect((await api.request('GET', `/campaigns/${kept}/intervals`)).body.length).toBeGreaterThan(0);

    const unsaved = await api.request('POST', `/campaigns/${kept}/unsave`);
    expect(unsaved.status).toBe(200);
    expect(unsaved.body.saved).toBe(false);
    await waitFor('the unsaved one to be purged too', async () => (await api.request('GET', `/campaigns/${kept}`)).body.purgedAt, 30_000);
    expect((await api.request('POST', '/campaigns/nope/save')).status).toBe(404);
  } finally {
    expect(await stopChild(head.process, 20_000)).toBe(0);
  }
});
