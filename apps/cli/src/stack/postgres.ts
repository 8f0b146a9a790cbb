// The local Postgres server: started with pg_ctl on a data dir under .barrage/, found again
// through its postmaster.pid, stopped with pg_ctl or the postmaster's shutdown signals.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, waitUntil } from '../processes.js';
import type { Paths } from './paths.js';
import type { Log, ServiceStatus, StackSettings } from './types.js';
import { isAlive, isRoot, run, tail, trySignal, type RunResult } from './os.js';
import { binsFor } from './postgres-bins.js';
import {
  clearStaleCluster,
  initCluster,
  isPostgresProcess,
  PG_DB,
  PG_ROLE,
  postmasterInfo,
  realDataDir,
  resolveDataDir,
  type Cluster,
} from './postgres-cluster.js';
import { ensurePgUser, PG_OS_USER } from './postgres-user.js';
import { tcpExchange } from './tcp.js';

export const PG_PREFERRED_PORT = 54329;

export function databaseUrl(port: number): string {
  return `postgresql://${PG_ROLE}@127.0.0.1:${port}/${PG_DB}`;
}

/** A Postgres server answers an SSLRequest with a single 'S' or 'N'. */
export async function pgAnswers(port: number): Promise<boolean> {
  const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
  const r = await tcpExchange(port, sslRequest);
  return r !== null && r.length >= 1 && (r[0] === 0x4e || r[0] === 0x53);
}

/** What an operation on the cluster knows before it picks the binaries. */
interface Site {
  dataDir: string;
  user: string | null;
  logFile: string;
  settings: StackSettings;
  log: Log;
}

function cluster(s: Site): Cluster {
  return { dataDir: s.dataDir, user: s.user, logFile: s.logFile, bins: binsFor(s.dataDir, s.user, s.settings, s.log) };
}

/** Starts the server (creating the cluster first), or finds it running; resolves with its port. */
export async function postgresUp(p: Paths, keptPort: number | null, avoid: number[], log: Log, settings: StackSettings): Promise<number> {
  const user = isRoot() ? ensurePgUser(log) : null;
  const site: Site = { dataDir: resolveDataDir(p, user, log), user, logFile: p.pgLog, settings, log };
  const running = await runningPort(site);
  if (running) return running;
  const c = cluster(site);
  initCluster(c, log);
  const port = await freePort([keptPort, PG_PREFERRED_PORT], avoid);
  log(`starting postgres ${c.bins.major} on 127.0.0.1:${port} (log: ${c.logFile})`);
  await startServer(c, port);
  return port;
}

/** The port of a server that runs and answers; else stops one that does not and clears what a dead one left (null). */
async function runningPort(s: Site): Promise<number | null> {
  const info = postmasterInfo(s.dataDir);
  if (!info) return null;
  const { pid, port } = info;
  const isPg = isAlive(pid) && isPostgresProcess(pid);
  // A server that is starting or recovering may take a few seconds to answer.
  if (isPg && port && (await waitUntil(() => pgAnswers(port), 10_000))) {
    s.log(`postgres already running (pid ${pid}, port ${port})`);
    return port;
  }
  if (isPg) await stopUnanswering(s, pid);
  await clearStaleCluster(s.dataDir, s.log);
  return null;
}

async function stopUnanswering(s: Site, pid: number): Promise<void> {
  s.log(`postgres pid ${pid} does not answer: stopping it`);
  const c = cluster(s);
  pgCtl(c, ['stop', '-D', c.dataDir, '-m', 'immediate', '-w', '-t', '30']);
  if (!(await waitUntil(() => !isAlive(pid), 10_000))) throw new Error(`postgres pid ${pid} does not answer and does not stop`);
}

async function startServer(c: Cluster, port: number): Promise<void> {
  const r = pgCtl(c, ['start', '-w', '-t', '60', '-D', c.dataDir, '-o', `-p ${port}`]);
  if (r.status !== 0) throw new Error(`postgres did not start (pg_ctl exit ${r.status} ${r.out}); end of ${c.logFile}:\n${tail(c.logFile)}`);
  if (!(await waitUntil(() => pgAnswers(port), 30_000))) {
    throw new Error(`postgres started but does not answer on port ${port}; end of ${c.logFile}:\n${tail(c.logFile)}`);
  }
}

function pgCtl(c: Cluster, args: string[]): RunResult {
  // The server inherits pg_ctl's stdout/stderr: a file descriptor opened here, so the log
  // file needs no permissions for barrage-pg.
  const fd = fs.openSync(c.logFile, 'a');
  try {
    return run(path.join(c.bins.dir, 'pg_ctl'), args, { user: c.user, stdio: ['ignore', fd, fd] });
  } finally {
    fs.closeSync(fd);
  }
}

/** Stops the server, keeping its data; does nothing when it does not run. */
export async function postgresDown(p: Paths, log: Log, settings: StackSettings): Promise<void> {
  const dataDir = realDataDir(p);
  const info = dataDir ? postmasterInfo(dataDir) : null;
  if (!dataDir || !info) return;
  if (!isAlive(info.pid)) {
    fs.rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
    return;
  }
  log(`stopping postgres (pid ${info.pid})`);
  const stopped = stopWithPgCtl({ dataDir, user: isRoot() ? PG_OS_USER : null, logFile: p.pgLog, settings, log });
  if (!stopped || isAlive(info.pid)) await stopWithSignals(info.pid);
}

/** `pg_ctl stop -m fast`; false when it fails or no usable binaries are found. */
function stopWithPgCtl(s: Site): boolean {
  try {
    const c = cluster(s);
    return pgCtl(c, ['stop', '-D', c.dataDir, '-m', 'fast', '-w', '-t', '60']).status === 0;
  } catch {
    return false;
  }
}

/** The postmaster's own shutdown signals: SIGINT (fast), then SIGQUIT (immediate). */
async function stopWithSignals(pid: number): Promise<void> {
  trySignal(pid, 'SIGINT');
  if (await waitUntil(() => !isAlive(pid), 30_000)) return;
  trySignal(pid, 'SIGQUIT');
  await waitUntil(() => !isAlive(pid), 10_000);
}

/** pid and port from postmaster.pid (the port falls back to `keptPort`), and whether it answers. */
export async function postgresStatus(p: Paths, keptPort: number | null): Promise<ServiceStatus> {
  const pm = postmasterInfo(realDataDir(p) ?? p.pgData);
  const pid = pm && isAlive(pm.pid) ? pm.pid : null;
  const port = pm?.port ?? keptPort;
  return { running: pid !== null && port !== null && (await pgAnswers(port)), pid, port };
}
