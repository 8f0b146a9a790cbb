// Helpers shared by the benchmarks: paths into the built workspace, the target server,
// Redis, child processes pinned to a core, and small statistics.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH = join(ROOT, 'bench');
/**
 * Where the built workspace is imported from: this checkout, or another build of Barrage
 * (run.mjs --base=<ref> points a child at a worktree of an older commit to compare with).
 */
export const DIST_ROOT = process.env.BARRAGE_BENCH_ROOT || ROOT;

/** Imports a built module of the workspace (`libs/metrics/dist/index.js`, ...). */
export function importDist(relative) {
  const file = join(DIST_ROOT, relative);
  if (!existsSync(file)) throw new Error(`${relative} is missing: build first (node scripts/setup.mjs --build-only)`);
  return import(pathToFileURL(file).href);
}

/** Imports a dependency as the factory resolves it (pnpm keeps it under apps/factory). */
export async function importFactoryDep(name) {
  const require = createRequire(join(DIST_ROOT, 'apps/factory/package.json'));
  return import(pathToFileURL(require.resolve(name)).href);
}

/** The Redis of the local stack (.barrage/stack.env), or REDIS_URL from the environment. */
export function stackRedisUrl() {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const env = join(ROOT, '.barrage/stack.env');
  if (!existsSync(env)) return null;
  const m = /^REDIS_URL=(.+)$/m.exec(readFileSync(env, 'utf8'));
  return m ? m[1].trim() : null;
}

let pinning = null;
/** Whether `taskset` exists and the machine has a core 1 to put the target on (checked once). */
export function canPin() {
  pinning ??= spawnSync('taskset', ['-c', '1', 'true']).status === 0;
  return pinning;
}

/** argv that runs `cmd` pinned to `core` (unpinned when taskset cannot). */
export function pinned(core, cmd, args) {
  return canPin() ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Every process a benchmark starts, so that none outlives it: a bench stopped by Ctrl-C, a
 * SIGTERM or a crash SIGTERMs them (nginx: SIGQUIT) on its way out. An orphaned head or factory
 * would otherwise keep its ports and join the next run's stack (it did: stop 23's CI).
 */
const children = new Set();
let exitHooked = false;
export function track(child, stopSignal = 'SIGTERM') {
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stopSignal = stopSignal;
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(c.stopSignal);
    });
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
  }
  return child;
}

/** Runs a command to its end; resolves with stdout, stderr, exit code. A timeout kills it. */
export function runChild(cmd, args, { timeoutMs, env, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : null;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    onSpawn?.(child);
  });
}

/** An HTTP/1.1 GET over a fresh connection (no keep-alive), for the target's counters. */
export async function httpGet(port, path) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { connection: 'close' } });
  return res.text();
}

/**
 * The target: nginx with one worker pinned to core 1 (a tiny 200 "ok"), or, without nginx, a
 * node:http server pinned to core 1. Both expose a request counter on /__count:
 * nginx's stub_status ("requests" counts every request, the probe's own included), the node
 * server's own count of requests other than the probes. `delayMs` (node only): every answer
 * waits that long.
 */
export async function startTarget(kind, { delayMs = 0 } = {}) {
  if (delayMs > 0 && kind === 'nginx') throw new Error('a delayed target is the node one (startTarget("node", { delayMs }))');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'barrage-bench-'));
  let child;
  if (kind === 'nginx') {
    const conf = `
worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port} reuseport backlog=4096;
    location = /__count { stub_status; }
    location / { default_type text/plain; return 200 "ok"; }
  }
}
`;
    writeFileSync(join(dir, 'nginx.conf'), conf);
    const [cmd, args] = pinned(1, 'nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')]);
    child = track(spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] }), 'SIGQUIT');
  } else {
    const [cmd, args] = pinned(1, process.execPath, [join(BENCH, 'target.mjs'), String(port), String(delayMs)]);
    child = track(spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
  }
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => child.on('exit', r));
  for (let i = 0; i < 100; i++) {
    try {
      await httpGet(port, '/');
      break;
    } catch {
      if (child.exitCode !== null) throw new Error(`target ${kind} exited: ${stderr}`);
      await sleep(50);
    }
  }
  /** Requests and connections served so far, the probes excluded. */
  let probes = 0;
  const count = async () => {
    const text = await httpGet(port, '/__count');
    if (kind === 'nginx') {
      // "Active connections: 1 \nserver accepts handled requests\n 10 10 12 \n...": every probe
      // so far (this one included) is one request on one new connection.
      probes++;
      const m = /\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n/.exec(text);
      return m ? { requests: Number(m[3]) - probes, connections: Number(m[1]) - probes } : { requests: Number.NaN, connections: Number.NaN };
    }
    const [requests, connections] = text.split(' ').map(Number);
    return { requests, connections };
  };
  const pids = () => {
    // nginx: the master and its workers; node: the server.
    const out = [child.pid];
    try {
      out.push(...readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // no children file: the master alone
    }
    return out;
  };
  return {
    kind,
    port,
    pids,
    url: `http://127.0.0.1:${port}/`,
    count,
    async stop() {
      // nginx: SIGQUIT is a graceful stop of master and worker; node: SIGTERM.
      child.kill(kind === 'nginx' ? 'SIGQUIT' : 'SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether an nginx binary is on PATH. */
export function hasNginx() {
  return spawnSync('nginx', ['-v']).status === 0;
}

// ---------- machine: core busy shares from /proc/stat, CPU and peak RSS from /proc/<pid> ----------

/** Per core: idle and total jiffies so far, from /proc/stat. */
export function coreTimes() {
  const out = {};
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2].trim().split(/\s+/).map(Number);
    const idle = v[3] + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out[m[1]] = { idle, total };
  }
  return out;
}

/** Busy share of one core between two coreTimes() readings. */
export function busyShare(before, after, core) {
  const b = before[core];
  const a = after[core];
  if (!a || !b || a.total === b.total) return Number.NaN;
  return 1 - (a.idle - b.idle) / (a.total - b.total);
}

export const TICK_MS = 1000 / (Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100);

/** CPU time (ms) a process has used so far, from /proc/<pid>/stat; 0 once it is gone. */
export function procCpuMs(pid) {
  const t = procTimesMs(pid);
  return t.user + t.sys;
}

/** A process's CPU so far, user and kernel apart (ms); zeros once it is gone. */
export function procTimesMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(f[11]) * TICK_MS, sys: Number(f[12]) * TICK_MS };
  } catch {
    return { user: 0, sys: 0 };
  }
}

/** Current RSS of a process in bytes (VmRSS), or NaN once it is gone. */
export function procRss(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Polls /proc/<pid> for VmHWM (peak RSS) and CPU time while the process lives. */
export function watchProcess(pid) {
  let peak = 0;
  let cpuMs = 0;
  const read = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      cpuMs = Math.max(cpuMs, procCpuMs(pid));
    } catch {
      // gone
    }
  };
  read();
  const t = setInterval(read, 100);
  return () => {
    clearInterval(t);
    return { peak, cpuMs };
  };
}

/** CPU ms used on every core between two coreTimes() readings. */
export function busyMs(before, after) {
  let ms = 0;
  for (const core of Object.keys(after)) {
    if (!before[core]) continue;
    ms += (after[core].total - before[core].total - (after[core].idle - before[core].idle)) * TICK_MS;
  }
  return ms;
}

const QUIET_CORES = 0.15;

/**
 * Waits (up to `maxWaitMs`) until the machine is idle: under 0.15 cores busy over half a
 * second, the idle target included. Other processes on a 2-core machine move these figures by
 * tens of percent; resolves with the busy cores last seen, so a run that still had company
 * can say so.
 */
export async function waitQuiet(maxWaitMs = 30_000) {
  const t0 = performance.now();
  for (;;) {
    const a = coreTimes();
    await sleep(500);
    const busy = busyMs(a, coreTimes()) / 500;
    if (busy < QUIET_CORES || performance.now() - t0 > maxWaitMs) return busy;
  }
}

// ---------- the local stack ----------

/** `K=V,K2=V2` (an option such as --factory-env) as an environment object; a value may hold '='. */
export function envList(arg) {
  if (!arg) return {};
  return Object.fromEntries(String(arg).split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/** `--flag,--flag2` (an option such as --factory-flags) as an argv list; a flag may hold '='. */
export function flagList(arg) {
  return arg ? String(arg).split(',').filter(Boolean) : [];
}

/** `--key=value` / `--flag` arguments as an object; a value may hold '='. */
export function parseArgs(args = process.argv.slice(2)) {
  return Object.fromEntries(
    args.map((a) => {
      const [k, ...v] = a.replace(/^--/, '').split('=');
      return [k, v.length ? v.join('=') : 'true'];
    }),
  );
}

/** `barrage stack up` (Redis + Postgres under .barrage/); throws when it fails. */
export function stackUp() {
  console.log('bench: starting the local stack (barrage stack up)');
  const r = spawnSync(process.execPath, [join(ROOT, 'apps/cli/dist/main.js'), 'stack', 'up'], { stdio: 'inherit', timeout: 120_000 });
  if (r.status !== 0) throw new Error('barrage stack up failed');
}

/** The variables of .barrage/stack.env (DATABASE_URL, REDIS_URL, SECRETS_KEY), the environment's first. */
export function stackEnv() {
  const file = join(ROOT, '.barrage/stack.env');
  const env = {};
  if (existsSync(file)) for (const m of readFileSync(file, 'utf8').matchAll(/^(\w+)=(.*)$/gm)) env[m[1]] = m[2].trim();
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'SECRETS_KEY']) if (process.env[k]) env[k] = process.env[k];
  return env;
}

/**
 * The stack's environment once its Redis and Postgres answer; runs `barrage stack up` when
 * they do not (and leaves the stack running, as run.mjs does).
 */
export async function ensureStack() {
  const answers = async (url) => {
    if (!url) return false;
    const u = new URL(url);
    return new Promise((resolve) => {
      const s = connect({ host: u.hostname, port: Number(u.port) }, () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
      s.setTimeout(2000, () => (s.destroy(), resolve(false)));
    });
  };
  let env = stackEnv();
  if (!(await answers(env.REDIS_URL)) || !(await answers(env.DATABASE_URL))) {
    stackUp();
    env = stackEnv();
    if (!(await answers(env.REDIS_URL))) throw new Error(`Redis at ${env.REDIS_URL} does not answer after barrage stack up`);
  }
  return env;
}

/**
 * A build of an older commit to compare with (run.mjs and real-factory.mjs --base=<ref>): a
 * detached worktree under .barrage/bench-base/<ref>, installed and built once (pnpm from the
 * local store). Returns its directory.
 */
export function prepareBase(ref) {
  const dir = join(ROOT, '.barrage/bench-base', ref.replace(/[^\w.-]/g, '_'));
  if (!existsSync(join(dir, 'apps/factory/dist/runner/chunk-runner.js'))) {
    console.log(`building ${ref} in ${dir} for the comparison...`);
    spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT });
    const add = spawnSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: ROOT, stdio: 'inherit' });
    if (add.status !== 0) throw new Error(`git worktree add ${ref} failed`);
    const setup = spawnSync(process.execPath, [join(dir, 'scripts/setup.mjs')], { cwd: dir, stdio: 'inherit', timeout: 600_000 });
    if (setup.status !== 0) throw new Error(`building ${ref} failed`);
  }
  return dir;
}
