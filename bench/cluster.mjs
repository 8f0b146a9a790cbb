// A real Barrage cluster for the benchmarks that go through the whole path (real-factory.mjs,
// memory.mjs): a head and factory processes started from the built CLI as an operator starts
// them (`barrage head`, `barrage factory`), an admin key made with `barrage keys create`, and
// scenarios and campaigns sent to the head's API. Processes can be pinned to a core; their
// logs go to .barrage/logs/bench/.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, freePort, pinned, sleep, track } from './lib.mjs';

export const CLI = join(ROOT, 'apps/cli/dist/main.js');
const LOGS = join(ROOT, '.barrage/logs/bench');

/** Polls `probe` until it gives a truthy value; throws after `timeoutMs` naming `what`. */
export async function until(what, probe, timeoutMs = 60_000, everyMs = 200) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
}

/**
 * `barrage <args>` as a child process, pinned to `core` (null: not pinned), with `nodeFlags`
 * before the script (--cpu-prof, --max-old-space-size...), its output appended to a log.
 */
export function spawnCli(name, args, env, { core = null, nodeFlags = [], cli = CLI } = {}) {
  mkdirSync(LOGS, { recursive: true });
  const log = createWriteStream(join(LOGS, `${name}.log`), { flags: 'a' });
  const argv = [...nodeFlags, cli, ...args];
  const [cmd, a] = core === null ? [process.execPath, argv] : pinned(core, process.execPath, argv);
  const child = track(spawn(cmd, a, { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.logFile = join(LOGS, `${name}.log`);
  return child;
}

/** SIGTERM (SIGKILL after `graceMs`); resolves once the process has exited. */
export function stop(child, graceMs = 15_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The pid of the node process itself when it was started through taskset (taskset execs, so it is the same pid). */
export const pidOf = (child) => child.pid;

/** An admin API key in the stack's database, made as an operator makes the first one. */
export function createKey(env) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, 'keys', 'create', '--scope', 'admin', '--name', 'bench', '--expires', '1d'], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`barrage keys create failed: ${stderr || err.message}`));
      resolve(stdout.trim().split('\n').pop());
    });
  });
}

/** A client of the head's API with an admin key (none for a head started with AUTH_DISABLED). */
export function api(base, key) {
  return async function request(method, path, body) {
    const res = await fetch(base + path, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };
}

/**
 * A head on a free port (pinned to `core` when given), ready once /health answers, with an
 * admin key: { base, request, process }.
 */
export async function startHead(stack, { core = null, name = 'head' } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnCli(name, ['head'], { ...stack, PORT: String(port), HOST: '127.0.0.1' }, { core });
  await until('the head to answer /health', async () => {
    if (child.exitCode !== null) throw new Error(`the head exited (${child.exitCode}): see ${child.logFile}`);
    return (await fetch(`${base}/health`)).status < 500;
  }, 90_000);
  const key = await createKey(stack);
  return { base, key, request: api(base, key), process: child };
}

/**
 * A factory of `zone` (pinned to `core` when given), registered with the head before this
 * resolves. `root`: another build of Barrage to run it from (a --base comparison).
 */
export async function startFactory(head, stack, { zone, id, core = null, nodeFlags = [], env = {}, root = ROOT }) {
  const cli = join(root, 'apps/cli/dist/main.js');
  const child = spawnCli(id, ['factory', '--zone', zone, '--capacity', '100', '--id', id], { REDIS_URL: stack.REDIS_URL, SECRETS_KEY: stack.SECRETS_KEY ?? '', ...env }, { core, nodeFlags, cli });
  await until(`factory ${id} to register`, async () => {
    if (child.exitCode !== null) throw new Error(`factory ${id} exited (${child.exitCode}): see ${child.logFile}`);
    const r = await head.request('GET', '/factories');
    return r.status === 200 && r.body.some((f) => f.id === id);
  }, 90_000);
  return child;
}

/** Stores a scenario; throws unless the head took it. */
export async function saveScenario(head, scenario) {
  const r = await head.request('POST', '/scenarios', scenario);
  if (r.status !== 201 && r.status !== 200) throw new Error(`POST /scenarios → ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

const ENDED = new Set(['completed', 'failed', 'aborted', 'error']);

/**
 * Creates a campaign, calls `onStart` once the head says it runs, waits for its end and
 * resolves with { key, campaign, report } (the final campaign summary and its report).
 */
export async function runCampaign(head, body, { timeoutMs = 120_000, onRunning } = {}) {
  const created = await head.request('POST', '/campaigns', body);
  if (created.status !== 201) throw new Error(`POST /campaigns → ${created.status}: ${JSON.stringify(created.body)}`);
  const key = created.body.key;
  let seenRunning = false;
  const campaign = await until(`campaign ${key} to end`, async () => {
    const c = (await head.request('GET', `/campaigns/${key}`)).body;
    if (!seenRunning && c.status === 'running') {
      seenRunning = true;
      onRunning?.(c);
    }
    return ENDED.has(c.status) ? c : null;
  }, timeoutMs, 250);
  const report = await until(`the report of ${key}`, async () => {
    const r = await head.request('GET', `/campaigns/${key}/report`);
    return r.status === 200 ? r.body : null;
  }, 30_000, 250);
  return { key, campaign, report };
}
