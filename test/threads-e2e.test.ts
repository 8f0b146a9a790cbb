/**
 * `barrage factory --threads` (docs/architecture.md#threads): a factory running each chunk on
 * two worker threads, merged into one run. The target counts what arrives; the report, its
 * intervals and the plan must agree with it exactly, in the open and the closed model, and a
 * threaded factory stopped mid-campaign hands its chunk back to the zone's other factory
 * without losing the load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { startFactory, startHead, stopChild, waitFor, waitForEnd, type Api } from './support/cluster';

jest.setTimeout(240_000);

const tag = randomUUID().slice(0, 6);
const zone = `threads-${tag}`;
const threaded = `${zone}-t2`;
let api: Api;
let head: ChildProcess;
let factory: ChildProcess;
let target: RunningTarget;

beforeAll(async () => {
  target = await startTarget();
  ({ api, process: head } = await startHead(tag));
  factory = await startFactory(api, { zone, id: threaded, env: { THREADS: '2' } });
  for (const [name, steps] of [['threads-get', 1], ['threads-three', 3]] as const) {
    const res = await api.request('POST', '/scenarios', {
      name: `${name}-${tag}`,
      variables: { base: target.url },
      steps: Array.from({ length: steps }, (_, i) => ({ name: `s${i}`, method: 'GET', url: `{{base}}/${name}/${i}`, checks: [{ status: [200] }] })),
    });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  const codes = await Promise.all([factory && factory.exitCode === null ? stopChild(factory, 20_000) : 0, head && stopChild(head, 20_000)]);
  await target?.close();
  expect(codes).toEqual([0, 0]);
});

beforeEach(() => target.reset());

/** The lines of the threaded factory's log about `campaign`. */
function factoryLog(campaign: string): { msg: string; thread?: number; threads?: number }[] {
  return readFileSync(join(__dirname, '..', '.barrage', 'logs', 'e2e', `${threaded}.log`), 'utf8')
    .split('\n')
    .filter((l) => l.includes(campaign))
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

async function report(key: string) {
  const done = await waitForEnd(api, key, 120_000);
  expect(done.status).toBe('completed');
  const r = (await api.request('GET', `/campaigns/${key}/report`)).body;
  const rows = (await api.request('GET', `/campaigns/${key}/intervals`)).body as { bucketStart: string; count: number }[];
  const starts = rows.map((x) => Date.parse(x.bucketStart));
  return { report: r, rows, contiguous: starts.every((t, i) => i === 0 || t - starts[i - 1]! === 1000), intervalSum: rows.reduce((n, x) => n + x.count, 0) };
}

it('open model on two threads: every arrival of the plan reaches the target once, and the report counts exactly those', async () => {
  const created = await api.request('POST', '/campaigns', {
    name: 'threads open',
    startOffsetMs: 500,
    scenarios: { [`threads-get-${tag}`]: { zones: { [zone]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 300, durationMs: 4000 } } },
  });
  expect(created.status).toBe(201);
  const key = created.body.key as string;
  const { report: r, contiguous, intervalSum } = await report(key);
  expect(target.stats.total).toBe(1200);
  expect(r.summary.requests).toBe(1200);
  expect(r.summary.failures).toBe(0);
  expect(r.summary.droppedIterations).toBe(0);
  expect(intervalSum).toBe(1200);
  expect(contiguous).toBe(true);
  // One chunk, accepted once, run by both threads of the factory, each on its half.
  const log = factoryLog(key);
  expect(log.filter((l) => l.msg === 'chunk accepted').map((l) => l.threads)).toEqual([2]);
  expect(log.filter((l) => l.msg === 'chunk thread running its part').map((l) => l.thread).sort()).toEqual([0, 1]);
  const execution = (await api.request('GET', `/campaigns/${key}/execution`)).body;
  const chunks = execution.zones.flatMap((z: { chunks: unknown[] }) => z.chunks);
  expect(chunks).toHaveLength(1);
  expect(chunks[0].startLatenessMs).not.toBeNull();
});

it('closed model on two threads: 7 minions between them, each runs its three steps once', async () => {
  const created = await api.request('POST', '/campaigns', {
    name: 'threads closed',
    startOffsetMs: 500,
    scenarios: { [`threads-three-${tag}`]: { minionsCount: 7, zones: { [zone]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } },
  });
  expect(created.status).toBe(201);
  const key = created.body.key as string;
  const { report: r, intervalSum } = await report(key);
  expect(target.stats.total).toBe(21);
  for (let i = 0; i < 3; i++) expect(target.stats.byPath[`/threads-three/${i}`]).toBe(7);
  expect(r.summary.requests).toBe(21);
  expect(r.summary.minionsStarted).toBe(7);
  expect(intervalSum).toBe(21);
  expect(factoryLog(key).filter((l) => l.msg === 'chunk thread running its part')).toHaveLength(2);
});

it('a threaded factory stopped mid-campaign hands its chunk back; the zone\'s other factory finishes it and nothing is lost', async () => {
  const other = await startFactory(api, { zone, id: `${zone}-t1` });
  try {
    const created = await api.request('POST', '/campaigns', {
      name: 'threads hand back',
      startOffsetMs: 500,
      scenarios: { [`threads-get-${tag}`]: { zones: { [zone]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 200, durationMs: 8000 } } },
    });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const c = await waitFor('the start', async () => {
      const body = (await api.request('GET', `/campaigns/${key}`)).body;
      return body.startedAt ? body : null;
    }, 60_000, 50);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(c.startedAt) + 3000 - Date.now())));
    expect(await stopChild(factory, 20_000)).toBe(0);
    const { report: r, contiguous, intervalSum } = await report(key);
    // What the target saw is what the report says; the plan's 1600 within what the threads
    // were apart when they stopped (a takeover resumes at the slower thread's progress).
    expect(r.summary.requests).toBe(target.stats.total);
    expect(intervalSum).toBe(r.summary.requests);
    expect(contiguous).toBe(true);
    expect(Math.abs(r.summary.requests - 1600)).toBeLessThanOrEqual(16);
    const logs = ((await api.request('GET', `/campaigns/${key}/logs`)).body as { message: string }[]).map((l) => l.message);
    expect(logs.some((m) => /handed back/i.test(m))).toBe(true);
  } finally {
    expect(await stopChild(other, 20_000)).toBe(0);
  }
});
