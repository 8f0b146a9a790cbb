/**
 * Frozen and stopped dependencies (docs/api.md#errors: 503 when a dependency is down). With Postgres or
 * Redis frozen (SIGSTOP: connections stay open, nothing answers) or Postgres shut down, every
 * request answers within a bound, 503 UNAVAILABLE in the error shape with a Retry-After
 * header, never a hang or a 500; the head recovers by itself once the dependency is back. A
 * campaign whose chunk jobs cannot be queued is marked failed, and its jobs never run. With
 * both stopped, a SIGTERM still ends the head and the factory with exit 0.
 *
 * It freezes its dependencies, so it runs on a private stack of its own (a temporary root,
 * free ports), never on the shared one other test files use.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { redisKeys } from '@barrage/contracts';
import { stackDown, stackUp, type StackInfo } from '../apps/cli/src/stack/index';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { freePort, startFactory, startHead, stopChild, waitFor, type Api } from './support/cluster';

jest.setTimeout(300_000);

const repoRoot = path.resolve(__dirname, '..');
// `pg` belongs to apps/head.
const { Client } = createRequire(path.join(repoRoot, 'apps', 'head', 'package.json'))('pg') as typeof import('pg');

/** No request may take longer: the fetch is aborted (and the test fails) past it. */
const REQUEST_BOUND_MS = 15_000;
/** The head must answer normally again within this after the dependency is back. */
const RECOVERY_BOUND_MS = 30_000;

let root: string;
let stack: StackInfo;
let target: RunningTarget;
let head: { api: Api; process: ChildProcess };
let factory: ChildProcess | null = null;
let redis: Redis;
const zone = `frozen-${process.pid}`;
/** Processes stopped right now: resumed in afterEach whatever happens. */
const frozen = new Set<number>();
/** Measured durations (ms), printed at the end. */
const measured: Record<string, number> = {};

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'barrage-frozen-'));
  fs.chmodSync(root, 0o755); // as root, Postgres runs as barrage-pg, which must reach the data dir
  // Ports of its own, kept for the restart below: never the shared stack's preferred ones,
  // even when that stack is not running now.
  fs.mkdirSync(path.join(root, '.barrage'));
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  fs.writeFileSync(path.join(root, '.barrage', 'stack.env'), `DATABASE_URL=postgresql://barrage@127.0.0.1:${pgPort}/barrage\nREDIS_URL=redis://127.0.0.1:${redisPort}\n`);
  stack = await stackUp({ root });
  expect([stack.pgPort, stack.redisPort]).toEqual([pgPort, redisPort]);
  target = await startTarget();
  const env = { DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl };
  head = await startHead(`frozen-${process.pid}`, env);
  factory = await startFactory(head.api, { zone, id: `${zone}-f0`, env: { REDIS_URL: stack.redisUrl, WARM_UP_REQUESTS: '0' } });
  redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2000 });
  redis.on('error', () => undefined);
  const res = await head.api.request('POST', '/scenarios', { name: 'frozen-get', variables: { base: target.url }, steps: [{ name: 'get', method: 'GET', url: '{{base}}/frozen', checks: [{ status: [200] }] }] });
  expect(res.status).toBe(201);
}, 180_000);

afterEach(() => resumeAll());

afterAll(async () => {
  resumeAll();
  redis?.disconnect();
  await Promise.all([factory && stopChild(factory, 20_000), head && stopChild(head.process, 20_000)]);
  await target?.close();
  if (root) {
    await stackDown({ root }).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
  // The bounds this run measured, for the record.
  console.log(`measured (ms):\n${Object.entries(measured).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
});

// ---------------------------------------------------------------------------------------

function postmasterPid(): number {
  return Number(fs.readFileSync(path.join(root, '.barrage', 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function redisPid(): number {
  return Number(fs.readFileSync(path.join(root, '.barrage', 'redis', 'redis.pid'), 'utf8').trim());
}

function freeze(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGSTOP');
      frozen.add(pid);
    } catch {
      /* a backend that exited meanwhile */
    }
  }
}

function resumeAll(): void {
  for (const pid of frozen) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
  frozen.clear();
}

/** The postmaster and every child (the backends of the head's pooled connections among them). */
function freezePostgres(): void {
  const pm = postmasterPid();
  freeze([pm, ...childrenOf(pm)]);
}

interface Timed {
  status: number;
  body: any;
  retryAfter: string | null;
  ms: number;
}

/** One request, which must be answered within REQUEST_BOUND_MS (an AbortSignal fails it otherwise). */
async function timed(method: string, p: string, body?: unknown): Promise<Timed> {
  const t0 = Date.now();
  let res: Response;
  try {
    res = await head.api.fetch(p, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_BOUND_MS),
    });
  } catch (e) {
    throw new Error(`${method} ${p} got no answer within ${REQUEST_BOUND_MS} ms (${(e as Error).message})`);
  }
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, retryAfter: res.headers.get('retry-after'), ms: Date.now() - t0 };
}

/** A 503 in the error shape of docs/api.md#errors, with Retry-After. */
async function expectUnavailable(label: string, method: string, p: string, body?: unknown): Promise<Timed> {
  const r = await timed(method, p, body);
  measured[`${label}: ${method} ${p} -> ${r.status}`] = r.ms;
  expect({ route: `${method} ${p}`, status: r.status }).toEqual({ route: `${method} ${p}`, status: 503 });
  expect(r.body).toMatchObject({ error: { code: 'UNAVAILABLE', message: expect.any(String) } });
  expect(r.retryAfter).toBe('5');
  expect(r.ms).toBeLessThan(REQUEST_BOUND_MS);
  return r;
}

async function expectHealthDown(label: string, service: 'database' | 'redis'): Promise<void> {
  const r = await timed('GET', '/health');
  measured[`${label}: GET /health -> ${r.status}`] = r.ms;
  expect(r.status).toBe(503);
  expect(r.body).toMatchObject({ status: 'unhealthy', services: { [service]: 'down' } });
}

/** Polls until every route answers as it should again; records how long that took. */
async function expectRecovery(label: string, checks: [method: string, path: string, expected: number, body?: unknown][]): Promise<void> {
  const t0 = Date.now();
  await waitFor(`${label}: the head to answer normally again`, async () => {
    for (const [method, p, expected, body] of checks) {
      const r = await timed(method, p, typeof body === 'function' ? body() : body);
      if (r.status !== expected) return false;
    }
    return true;
  }, RECOVERY_BOUND_MS, 250);
  measured[`${label}: recovered after`] = Date.now() - t0;
}

let scenarioN = 0;
const newScenario = () => ({ name: `frozen-s${++scenarioN}`, steps: [{ name: 'get', method: 'GET', url: `${target.url}/s` }] });

// ---------------------------------------------------------------------------------------

describe('Postgres', () => {
  it('frozen: reads, writes and /health answer 503 with Retry-After within the bound, then recover', async () => {
    freezePostgres();
    await expectUnavailable('postgres frozen', 'GET', '/campaigns');
    await expectUnavailable('postgres frozen', 'GET', '/campaigns/x');
    await expectUnavailable('postgres frozen', 'GET', '/scenarios');
    await expectUnavailable('postgres frozen', 'POST', '/scenarios', newScenario());
    await expectHealthDown('postgres frozen', 'database');
    resumeAll();
    await expectRecovery('postgres frozen', [
      ['GET', '/campaigns', 200],
      ['GET', '/campaigns/x', 404],
      ['GET', '/scenarios', 200],
      ['POST', '/scenarios', 201, newScenario],
      ['GET', '/health', 200],
    ]);
  });

  it('shut down: 503s at once, then recovery when it is started again', async () => {
    const pm = postmasterPid();
    process.kill(pm, 'SIGINT'); // fast shutdown: sessions end, new connections are refused (SIGTERM would wait for the head's pooled sessions)
    await waitFor('postgres to stop', async () => !fs.existsSync(path.join(root, '.barrage', 'postgres', 'postmaster.pid')), 30_000, 100);
    await expectUnavailable('postgres down', 'GET', '/campaigns');
    await expectUnavailable('postgres down', 'GET', '/campaigns/x');
    await expectUnavailable('postgres down', 'GET', '/scenarios');
    await expectUnavailable('postgres down', 'POST', '/scenarios', newScenario());
    await expectHealthDown('postgres down', 'database');
    const again = await stackUp({ root });
    expect(again.databaseUrl).toBe(stack.databaseUrl); // same port: the head's DATABASE_URL holds
    await expectRecovery('postgres restarted', [
      ['GET', '/campaigns', 200],
      ['GET', '/campaigns/x', 404],
      ['GET', '/scenarios', 200],
      ['POST', '/scenarios', 201, newScenario],
      ['GET', '/health', 200],
    ]);
  });
});

describe('Redis', () => {
  const campaign = (name: string) => ({ name, startOffsetMs: 500, scenarios: { 'frozen-get': { minionsCount: 1, zones: { [zone]: 100 } } } });

  async function campaignsNamed(name: string): Promise<any[]> {
    const r = await timed('GET', '/campaigns?size=100');
    expect(r.status).toBe(200);
    return r.body.elements.filter((c: { name: string }) => c.name === name);
  }

  it('frozen: POST /campaigns answers 503 within the bound and creates nothing; reads on Postgres still answer', async () => {
    freeze([redisPid()]);
    await expectUnavailable('redis frozen', 'POST', '/campaigns', campaign('frozen-redis'));
    await expectUnavailable('redis frozen', 'GET', '/factories');
    await expectHealthDown('redis frozen', 'redis');
    const list = await timed('GET', '/campaigns');
    measured['redis frozen: GET /campaigns -> 200'] = list.ms;
    expect(list.status).toBe(200);
    resumeAll();
    await expectRecovery('redis frozen', [
      ['GET', '/factories', 200],
      ['GET', '/health', 200],
    ]);
    // Nothing was written by the refused request, and nothing starts later.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await campaignsNamed('frozen-redis')).toEqual([]);
    expect(target.stats.total).toBe(0);
    // A new campaign is accepted again (once the factory's registration, which may have
    // expired while Redis stood still, is back).
    await waitFor('the factory to be listed again', async () => (await timed('GET', '/factories')).body.some((f: { id: string }) => f.id === `${zone}-f0`), RECOVERY_BOUND_MS, 250);
    const ok = await timed('POST', '/campaigns', campaign('after-redis'));
    expect(ok.status).toBe(201);
    const done = await waitFor('the campaign after the outage to end', async () => {
      const c = (await timed('GET', `/campaigns/${ok.body.key}`)).body;
      return ['completed', 'failed', 'aborted'].includes(c.status) ? c : null;
    }, 90_000, 250);
    expect(done).toMatchObject({ status: 'completed', result: 'passed' });
    target.reset();
  });

  it('stalling while the chunk jobs are queued: 503, the campaign is failed with a reason, its job never runs', async () => {
    // Hold the campaign INSERT on a lock so that Redis can be frozen after the head checked
    // it (PING) and before it queues the jobs: the moment an outage hurts most.
    const locker = new Client({ connectionString: stack.databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE campaigns IN ACCESS EXCLUSIVE MODE');
      const pending = timed('POST', '/campaigns', campaign('stalled-enqueue'));
      // The INSERT waits for the lock while it is parsed, before pg_stat_activity shows its
      // text: look for the lock it wants (no other writer of campaigns runs now).
      await waitFor('the campaign INSERT to wait for the lock', async () => {
        const r = await locker.query("SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'campaigns'::regclass AND mode = 'RowExclusiveLock' AND NOT granted");
        return r.rows[0].n > 0;
      }, 4000, 25);
      freeze([redisPid()]);
      await locker.query('COMMIT');
      const r = await pending;
      measured['redis stalls at enqueue: POST /campaigns -> ' + r.status] = r.ms;
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ error: { code: 'UNAVAILABLE', message: expect.stringMatching(/could not be queued and was marked failed/) } });
      expect(r.retryAfter).toBe('5');
      // Postgres is up: the campaign is there, failed with a reason, while Redis is still frozen.
      const [failed] = await campaignsNamed('stalled-enqueue');
      expect(failed).toMatchObject({ status: 'failed', result: 'error', failureReason: expect.stringMatching(/Redis did not answer within \d+ ms while the chunk jobs were queued/) });
      resumeAll();
      // The abort reaches the control hash once Redis answers...
      await waitFor('the abort in the control hash', async () => (await redis.hget(redisKeys.control(failed.key), 'abort')) === 'hard', RECOVERY_BOUND_MS, 100);
      // ...and the job that the stalled add put in the queue when Redis came back never runs:
      // the factory takes it, sees the abort and stops before the start.
      const chunks = async () => (await timed('GET', `/campaigns/${failed.key}/execution`)).body.zones.flatMap((z: { chunks: unknown[] }) => z.chunks) as any[];
      const taken = await waitFor('the factory to take the chunk', async () => {
        const list = await chunks();
        return list.length > 0 && list.every((k) => k.runs.length > 0) ? list : null;
      }, RECOVERY_BOUND_MS, 250);
      measured['redis stalls at enqueue: late job taken (and dropped) after'] = Date.now() - Date.parse(failed.endedAt);
      for (const k of taken) expect(k).toMatchObject({ startedAt: null, iterations: 0, runs: [expect.objectContaining({ factoryId: `${zone}-f0` })] });
      await new Promise((res) => setTimeout(res, 2000));
      expect((await timed('GET', `/campaigns/${failed.key}`)).body).toMatchObject({ status: 'failed', startedAt: null, failureReason: failed.failureReason });
      for (const k of await chunks()) expect(k).toMatchObject({ startedAt: null, iterations: 0 });
      expect(target.stats.total).toBe(0);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end().catch(() => undefined);
    }
  });
});

// Last: it stops this file's stack and its processes for good.
describe('shutdown with Redis and Postgres gone', () => {
  it('a SIGTERM ends the head and the factory cleanly (exit 0) instead of waiting for Redis', async () => {
    await stackDown({ root });
    // Both notice the outage (they reconnect in the background) before they are told to stop.
    await waitFor('the head to see Redis down', async () => (await timed('GET', '/health')).status === 503, RECOVERY_BOUND_MS, 250);
    const t0 = Date.now();
    // Past 15 s stopChild kills with SIGKILL: the exit code is then null, not 0.
    const [factoryExit, headExit] = await Promise.all([stopChild(factory!, 15_000), stopChild(head.process, 15_000)]);
    measured['SIGTERM with the stack down: head and factory exited after'] = Date.now() - t0;
    expect({ factory: factoryExit, head: headExit }).toEqual({ factory: 0, head: 0 });
  });
});
