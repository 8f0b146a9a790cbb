/**
 * Recovery (docs/architecture.md#faults): Redis paused, Redis restarted, the head killed and restarted, and two
 * heads at once, each in the middle of a real campaign against a target that counts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackUp } from '../apps/cli/src/stack/index';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { startCluster, startHead, stopChild, waitFor, waitForEnd, type Api, type Cluster } from './support/cluster';

jest.setTimeout(300_000);

const root = join(__dirname, '..');
let cluster: Cluster;
let target: RunningTarget;
let zone: string;

beforeAll(async () => {
  target = await startTarget();
  cluster = await startCluster({ factories: [{ zone: 'recover' }] });
  zone = cluster.zones[0]!;
  const res = await cluster.api.request('POST', '/scenarios', { name: 'recover-get', variables: { base: target.url }, steps: [{ name: 'get', method: 'GET', url: '{{base}}/r', checks: [{ status: [200] }] }] });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await cluster?.stop();
  await target?.close();
});

beforeEach(() => target.reset());

async function openModel(api: Api, name: string, rate: number, durationMs: number): Promise<string> {
  const res = await api.request('POST', '/campaigns', {
    name,
    startOffsetMs: 500,
    scenarios: { 'recover-get': { zones: { [zone]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate, durationMs, maxInFlight: 5000 } } },
  });
  expect(res.status).toBe(201);
  return res.body.key;
}

async function atOffset(api: Api, key: string, ms: number) {
  const c = await waitFor('the start instant', async () => {
    const body = (await api.request('GET', `/campaigns/${key}`)).body;
    return body.startedAt ? body : null;
  }, 60_000, 50);
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(c.startedAt) + ms - Date.now())));
}

/** Every campaign-wide interval from the first to the last, none missing, and their sum. */
async function intervalsOf(api: Api, key: string) {
  const rows = (await api.request('GET', `/campaigns/${key}/intervals`)).body as { bucketStart: string; count: number }[];
  const starts = rows.map((r) => Date.parse(r.bucketStart));
  return { rows, contiguous: starts.every((t, i) => i === 0 || t - starts[i - 1]! === 1000), sum: rows.reduce((n, r) => n + r.count, 0) };
}

/** The campaign completed, the target saw what the report says, within 2 % of the plan, every interval present. */
async function expectDelivered(key: string, planned: number) {
  const done = await waitForEnd(cluster.api, key, 120_000);
  expect(done.status).toBe('completed');
  const report = (await cluster.api.request('GET', `/campaigns/${key}/report`)).body;
  expect(report.summary.requests).toBe(target.stats.total);
  expect(Math.abs(report.summary.requests - planned)).toBeLessThanOrEqual(planned * 0.02);
  const intervals = await intervalsOf(cluster.api, key);
  expect(intervals.contiguous).toBe(true);
  expect(intervals.sum).toBe(report.summary.requests);
}

const redisPid = () => Number(readFileSync(join(root, '.barrage', 'redis', 'redis.pid'), 'utf8').trim());

it('keeps the load going while Redis is paused, then delivers every snapshot', async () => {
  const key = await openModel(cluster.api, 'redis paused', 100, 12_000);
  await atOffset(cluster.api, key, 3000);
  const pid = redisPid();
  process.kill(pid, 'SIGSTOP');
  await new Promise((r) => setTimeout(r, 5000));
  process.kill(pid, 'SIGCONT');
  await expectDelivered(key, 1200);
});

it('survives a Redis restart mid-campaign: the queues and the stream persist (append-only file)', async () => {
  const key = await openModel(cluster.api, 'redis restarted', 100, 12_000);
  await atOffset(cluster.api, key, 3000);
  const pid = redisPid();
  process.kill(pid, 'SIGTERM');
  await waitFor('redis to stop', async () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, 15_000, 50);
  await new Promise((r) => setTimeout(r, 2000));
  await stackUp({ root }); // the same port, the same data directory
  await expectDelivered(key, 1200);
});

it('completes a campaign whose head was killed, once a head is back, with every interval', async () => {
  const key = await openModel(cluster.api, 'head killed', 100, 8000);
  await atOffset(cluster.api, key, 3000);
  cluster.head.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 2000));
  const revived = await startHead();
  try {
    const done = await waitForEnd(revived.api, key, 120_000);
    expect(done.status).toBe('completed');
    expect(done.result).toBe('passed');
    const report = (await revived.api.request('GET', `/campaigns/${key}/report`)).body;
    expect(report.summary.requests).toBe(800);
    expect(target.stats.total).toBe(800);
    const intervals = await intervalsOf(revived.api, key);
    expect(intervals.contiguous).toBe(true);
    expect(intervals.sum).toBe(800);

    // Two heads at once (the revived one and another): each campaign is driven once.
    const second = await startHead();
    try {
      target.reset();
      const both = await openModel(second.api, 'two heads', 100, 4000);
      const end = await waitForEnd(revived.api, both, 120_000);
      expect(end.status).toBe('completed');
      expect(end.statusHistory.map((h: { status: string }) => h.status)).toEqual(['created', 'queued', 'initializing', 'running', 'processing_metrics', 'completed']);
      const logs = (await second.api.request('GET', `/campaigns/${both}/logs`)).body.map((e: { message: string }) => e.message);
      expect(logs.filter((m: string) => m.startsWith('Start instant fixed'))).toHaveLength(1);
      expect(logs.filter((m: string) => m.startsWith('Allocated'))).toHaveLength(1);
      expect(logs.filter((m: string) => /accepted by factory/.test(m))).toHaveLength(1);
      expect((await second.api.request('GET', `/campaigns/${both}/report`)).body.summary.requests).toBe(400);
      expect(target.stats.total).toBe(400);
    } finally {
      expect(await stopChild(second.process, 20_000)).toBe(0);
    }
  } finally {
    expect(await stopChild(revived.process, 20_000)).toBe(0);
  }
});
