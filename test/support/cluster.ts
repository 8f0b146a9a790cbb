/**
 * End-to-end support: real head and factory processes (the built CLI), on the Redis and
 * Postgres that `npm test` started (DATABASE_URL, REDIS_URL in the environment).
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { freePort, spawnBarrage, stopChild, waitFor } from '../../apps/cli/src/processes';

export { freePort, waitFor };

const root = join(__dirname, '..', '..');
const cli = join(root, 'apps', 'cli', 'dist', 'main.js');
const logDir = join(root, '.barrage', 'logs', 'e2e');

export function requireEnv(): { DATABASE_URL: string; REDIS_URL: string } {
  const { DATABASE_URL, REDIS_URL } = process.env;
  if (!DATABASE_URL || !REDIS_URL) throw new Error('DATABASE_URL and REDIS_URL must be set: run the tests with `npm test`, which starts the stack');
  return { DATABASE_URL, REDIS_URL };
}

function spawnCli(args: string[], env: Record<string, string>, name: string): ChildProcess {
  return spawnBarrage(args, { ...process.env, LOG_LEVEL: 'info', ...env }, join(logDir, `${name}.log`), cli);
}

export interface Api {
  base: string;
  /** The admin API key every request of this client carries (docs/security.md). */
  key: string;
  request<T = any>(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; body: T; headers: Headers }>;
  /** fetch() of a path on the head, with the key. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export function api(base: string, key: string): Api {
  const auth = { authorization: `Bearer ${key}` };
  return {
    base,
    key,
    async request(method, path, body, raw) {
      const res = await fetch(base + path, {
        method,
        headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json', ...auth } : auth,
        body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
    fetch: (path, init = {}) => fetch(base + path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } }),
  };
}

const keys = new Map<string, Promise<string>>();

/**
 * An admin key in the database of `env` (made once per database and test file with
 * `barrage keys create`, as an operator makes the first one).
 */
export function adminKey(env: Record<string, string>): Promise<string> {
  const db = env.DATABASE_URL!;
  let key = keys.get(db);
  if (!key) {
    key = new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [cli, 'keys', 'create', '--scope', 'admin', '--name', 'e2e'], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`barrage keys create failed: ${stderr || err.message}`));
        resolve(stdout.trim().split('\n').pop()!);
      });
    });
    keys.set(db, key);
  }
  return key;
}

export interface Cluster {
  api: Api;
  /** The head process (tests kill it to show a restart loses nothing). */
  head: ChildProcess;
  /** Unique zone names for this cluster, so test files never share factories. */
  zones: string[];
  factories: { zone: string; id: string; metricsUrl: string; process: ChildProcess }[];
  /** Stops every process with SIGTERM and returns their exit codes. */
  stop(): Promise<(number | null)[]>;
}

/**
 * A head process on a free port, ready once /health answers. `env` goes over the defaults;
 * with DATABASE_URL and REDIS_URL in it (a private stack), `npm test`'s stack is not needed.
 */
export async function startHead(tag = randomUUID().slice(0, 6), env: Record<string, string> = {}): Promise<{ api: Api; process: ChildProcess }> {
  const port = await freePort();
  const stack = env.DATABASE_URL && env.REDIS_URL ? {} : requireEnv();
  const key = await adminKey({ ...stack, ...env });
  const head = spawnCli(['head'], { ...stack, PORT: String(port), ALLOCATION_TIMEOUT_MS: '15000', ...env }, `head-${tag}`);
  const client = api(`http://127.0.0.1:${port}`, key);
  await waitFor('head /health', async () => (await client.request('GET', '/health')).status < 500, 60_000);
  return { api: client, process: head };
}

export { stopChild };

/**
 * A factory process of `zone`, on the Redis of `env.REDIS_URL` (a private stack) or else of
 * `npm test`'s stack; resolves once the head behind `a` lists it.
 */
export async function startFactory(a: Api, opts: { zone: string; id: string; capacity?: number; env?: Record<string, string> }): Promise<ChildProcess> {
  const env = opts.env?.REDIS_URL ? opts.env : { ...requireEnv(), ...opts.env };
  const args = ['factory', '--zone', opts.zone, '--capacity', String(opts.capacity ?? 100), '--id', opts.id];
  const child = spawnCli(args, { HEARTBEAT_MS: '1000', ...env }, opts.id);
  await waitFor(`factory ${opts.id} to register`, async () => (await a.request<{ id: string }[]>('GET', '/factories')).body.some((f) => f.id === opts.id), 60_000);
  return child;
}

export async function startCluster(opts: { factories: { zone: string; capacity?: number }[] }): Promise<Cluster> {
  const env = requireEnv();
  const tag = randomUUID().slice(0, 6);
  const { api: client, process: head } = await startHead(tag);
  const factories = await Promise.all(
    opts.factories.map(async (f, i) => {
      const zone = `${f.zone}-${tag}`;
      const id = `${zone}-f${i}`;
      const metricsPort = await freePort();
      const args = ['factory', '--zone', zone, '--capacity', String(f.capacity ?? 100), '--id', id];
      const child = spawnCli(args, { ...env, HEARTBEAT_MS: '1000', METRICS_PORT: String(metricsPort) }, id);
      return { zone, id, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, process: child };
    }),
  );
  await waitFor('factories to register', async () => {
    const live = (await client.request<{ id: string }[]>('GET', '/factories')).body;
    return factories.every((f) => live.some((l) => l.id === f.id));
  }, 60_000);
  return {
    api: client,
    head,
    zones: [...new Set(factories.map((f) => f.zone))],
    factories,
    stop: async () => Promise.all([...factories.map((f) => stopChild(f.process, 20_000)), stopChild(head, 20_000)]),
  };
}

/** Polls a campaign until it reaches a terminal status. */
export async function waitForEnd(a: Api, key: string, timeoutMs = 90_000): Promise<any> {
  return waitFor(`campaign ${key} to end`, async () => {
    const c = (await a.request('GET', `/campaigns/${key}`)).body;
    return ['completed', 'failed', 'aborted'].includes(c.status) ? c : null;
  }, timeoutMs, 250);
}
