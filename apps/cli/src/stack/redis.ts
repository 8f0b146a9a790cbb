// The local Redis: the machine's redis-server (installed with apt-get as root when missing),
// daemonized with its pid file, log and append-only file under .barrage/.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { freePort, waitUntil } from '../processes.js';
import type { Paths } from './paths.js';
import type { Log, ServiceStatus, StackSettings } from './types.js';
import { cmdline, isAlive, isRoot, readPid, tail, terminate, which } from './os.js';
import { tcpExchange } from './tcp.js';

export const REDIS_PREFERRED_PORT = 63799;

const REDIS_HELP =
  'redis-server is not installed. Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`; ' +
  'macOS: `brew install redis`), or set REDIS_URL to an existing Redis (version 6.2 or later).';

/** Where redis-server may be besides PATH (Debian's, Homebrew's). */
const SERVER_DIRS = ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin', '/usr/sbin'];

export function redisUrl(port: number): string {
  return `redis://127.0.0.1:${port}`;
}

export async function redisAnswers(port: number): Promise<boolean> {
  const r = await tcpExchange(port, 'PING\r\n');
  return r !== null && r.toString('latin1').startsWith('+PONG');
}

/** A live Redis (true where /proc cannot tell). */
function isRedis(pid: number): boolean {
  return isAlive(pid) && /redis/.test(cmdline(pid) || 'redis');
}

function findRedisServer(log: Log, noInstall: boolean): string {
  const found = which('redis-server', SERVER_DIRS) ?? installRedis(log, noInstall);
  if (found) return found;
  throw new Error(REDIS_HELP + (noInstall ? ' (BARRAGE_NO_INSTALL is set: nothing was installed.)' : ''));
}

/** As root with apt-get, installs redis-server; its path, or null when it could not be installed here. */
function installRedis(log: Log, noInstall: boolean): string | null {
  const aptGet = which('apt-get', ['/usr/bin']);
  if (!isRoot() || !aptGet || noInstall) return null;
  log('redis-server is missing: running `apt-get update` then `apt-get install -y redis-server`');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'redis-server']]) {
    const r = spawnSync(aptGet, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}). ${REDIS_HELP}`);
  }
  return which('redis-server', SERVER_DIRS);
}

/** Starts redis-server, or finds it running on `keptPort`; resolves with its port. */
export async function redisUp(p: Paths, keptPort: number | null, avoid: number[], log: Log, settings: StackSettings): Promise<number> {
  const running = await runningPort(p, keptPort, log);
  if (running) return running;
  const server = findRedisServer(log, settings.noInstall ?? false);
  const port = await freePort([keptPort, REDIS_PREFERRED_PORT], avoid);
  log(`starting redis on 127.0.0.1:${port} (log: ${p.redisLog})`);
  await startServer(server, port, p);
  return port;
}

/** `keptPort` when our Redis answers there; else stops one that does not, removes the pid file, null. */
async function runningPort(p: Paths, keptPort: number | null, log: Log): Promise<number | null> {
  const pid = readPid(p.redisPid);
  if (pid === null) return null;
  const ours = isRedis(pid);
  if (ours && keptPort && (await waitUntil(() => redisAnswers(keptPort), 3_000))) {
    log(`redis already running (pid ${pid}, port ${keptPort})`);
    return keptPort;
  }
  // Without /proc the pid may belong to anyone by now: only the pid file goes.
  if (ours && cmdline(pid)) {
    log(`redis pid ${pid} does not answer on its port: stopping it`);
    await terminate(pid, 10_000);
  } else {
    log('removing a stale redis pid file');
  }
  fs.rmSync(p.redisPid, { force: true });
  return null;
}

async function startServer(server: string, port: number, p: Paths): Promise<void> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', p.redisDir,
    '--daemonize', 'yes',
    '--pidfile', p.redisPid,
    '--logfile', p.redisLog,
    '--save', '',
    // Redis holds the chunk queues and the snapshot stream: an append-only file (fsync each
    // second) means a restart loses nothing that was acknowledged more than a second before.
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
  ];
  const r = spawnSync(server, args, { encoding: 'utf8', cwd: p.redisDir });
  if (r.status !== 0) throw new Error(`redis-server did not start (exit ${r.status}): ${r.stdout}${r.stderr}\n${tail(p.redisLog)}`);
  if (!(await waitUntil(() => redisAnswers(port), 15_000))) {
    throw new Error(`redis started but does not answer on port ${port}; end of ${p.redisLog}:\n${tail(p.redisLog)}`);
  }
}

/** Asks Redis to shut down, then signals it; removes the pid file. */
export async function redisDown(p: Paths, port: number | null, log: Log): Promise<void> {
  const pid = readPid(p.redisPid);
  if (pid === null) return;
  if (isRedis(pid)) {
    log(`stopping redis (pid ${pid})`);
    if (port) await tcpExchange(port, 'SHUTDOWN NOSAVE\r\n', 2000);
    if (!(await waitUntil(() => !isAlive(pid), 5_000))) await terminate(pid, 10_000);
  }
  fs.rmSync(p.redisPid, { force: true });
}

/** pid from redis.pid, `port` from stack.env, and whether it answers there. */
export async function redisStatus(p: Paths, port: number | null): Promise<ServiceStatus> {
  const recorded = readPid(p.redisPid);
  const pid = recorded !== null && isAlive(recorded) ? recorded : null;
  return { running: pid !== null && port !== null && (await redisAnswers(port)), pid, port };
}
