// Helpers shared by the benchmarks: paths into the built workspace, the target server,
// Redis, child processes pinned to a core, and small statistics.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
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

/** Runs a command to its end; resolves with stdout, stderr, exit code. A timeout kills it. */
export function runChild(cmd, args, { timeoutMs, env, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
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
 * server's own count of requests other than the probes.
 */
export async function startTarget(kind) {
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
    child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    const [cmd, args] = pinned(1, process.execPath, [join(BENCH, 'target.mjs'), String(port)]);
    child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
