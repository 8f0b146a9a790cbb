// The Postgres data directory: where it lives, creating it, and what a dead server leaves in it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitUntil } from '../processes.js';
import type { Paths } from './paths.js';
import type { PgBins } from './postgres-bins.js';
import type { Log } from './types.js';
import { cmdline, isAlive, run, trySignal, type RunResult } from './os.js';
import { chownTo, hashOf, openUserHome, PG_USER_HOME } from './postgres-user.js';

export const PG_DB = 'barrage';
export const PG_ROLE = 'barrage';

/** Written once the database exists: a run interrupted between initdb and CREATE DATABASE resumes there. */
const MARKER = 'barrage-initialized';

/** A data dir, the binaries that serve it, the OS user they run as (null: ours) and the server log. */
export interface Cluster {
  dataDir: string;
  bins: PgBins;
  user: string | null;
  logFile: string;
}

/**
 * The data directory. As root, `barrage-pg` must be able to reach it: when a parent of
 * <root>/.barrage is closed to other users (e.g. a project under /root), the data lives in
 * /var/lib/barrage-pg/<hash of root>/postgres and .barrage/postgres is a symlink to it.
 */
export function resolveDataDir(p: Paths, user: string | null, log: Log): string {
  const st = fs.lstatSync(p.pgData, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) return linkedDataDir(p.pgData);
  if (st || !user || run('test', ['-x', p.base], { user }).status === 0) return p.pgData;
  return dataDirInUserHome(p, user, log);
}

/** The target of the link, recreated when it was removed. */
function linkedDataDir(link: string): string {
  const target = path.resolve(path.dirname(link), fs.readlinkSync(link));
  fs.mkdirSync(target, { recursive: true, mode: 0o700 });
  return target;
}

function dataDirInUserHome(p: Paths, user: string, log: Log): string {
  const real = path.join(PG_USER_HOME, hashOf(path.dirname(p.base), 16), 'postgres');
  log(`${user} cannot reach ${p.base}: keeping the Postgres data in ${real} (linked from ${p.pgData})`);
  openUserHome();
  fs.mkdirSync(path.dirname(real), { recursive: true, mode: 0o755 });
  fs.mkdirSync(real, { recursive: true, mode: 0o700 });
  fs.symlinkSync(real, p.pgData);
  return real;
}

/** The data dir with symlinks resolved; null when it was never created. */
export function realDataDir(p: Paths): string | null {
  try {
    return fs.realpathSync(p.pgData);
  } catch {
    return null;
  }
}

/** Creates the cluster, then the database, each once. */
export function initCluster(c: Cluster, log: Log): void {
  if (!fs.existsSync(path.join(c.dataDir, 'PG_VERSION'))) createCluster(c, log);
  if (!fs.existsSync(path.join(c.dataDir, MARKER))) createDatabase(c, log);
}

function createCluster(c: Cluster, log: Log): void {
  emptyDataDir(c.dataDir);
  if (c.user) chownTo(c.user, c.dataDir);
  log(`initdb: creating a Postgres ${c.bins.major} cluster in ${c.dataDir} (${c.bins.source} binaries, ${c.bins.dir})`);
  const r = runLogged(c, 'initdb', ['-D', c.dataDir, '--auth=trust', '-U', PG_ROLE, '--encoding=UTF8', '--locale=C', '--no-sync']);
  if (r.status !== 0) throw new Error(`initdb failed (exit ${r.status}):\n${r.out}`);
  fs.appendFileSync(path.join(c.dataDir, 'postgresql.conf'), localSettings(c.dataDir));
}

/** An empty data dir that only its owner may enter, as initdb requires. */
function emptyDataDir(dir: string): void {
  // A half-created data dir from an interrupted run: start it afresh.
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** postgresql.conf additions: loopback only, and speed over durability (the data is disposable). */
function localSettings(dataDir: string): string {
  // A Unix socket path must fit in ~107 bytes: a deeper data dir serves TCP only.
  const sockets = path.join(dataDir, '.s.PGSQL.65535').length < 100 ? dataDir : '';
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return [
    '',
    '# --- Barrage local stack (development and tests only) ---',
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = ${q(sockets)}`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 200',
    '',
  ].join('\n');
}

function createDatabase(c: Cluster, log: Log): void {
  // Single-user mode creates the database without a client or a running server.
  log(`creating database ${PG_DB}`);
  const r = runLogged(c, 'postgres', ['--single', '-D', c.dataDir, '-F', 'postgres'], `CREATE DATABASE ${PG_DB};\n`);
  if (r.status !== 0 || (/ERROR/.test(r.out) && !/already exists/.test(r.out))) {
    throw new Error(`creating database ${PG_DB} failed (exit ${r.status}):\n${r.out}`);
  }
  const marker = path.join(c.dataDir, MARKER);
  fs.writeFileSync(marker, new Date().toISOString() + '\n');
  if (c.user) chownTo(c.user, marker);
}

/** Runs one of the cluster's binaries as its user; the output goes to the server log too. */
function runLogged(c: Cluster, binary: string, args: string[], input?: string): RunResult {
  const r = run(path.join(c.bins.dir, binary), args, { user: c.user, input });
  fs.appendFileSync(c.logFile, r.out);
  return r;
}

/** Whether a live pid is a Postgres server (true where /proc cannot tell). */
export function isPostgresProcess(pid: number): boolean {
  const c = cmdline(pid);
  return c === '' || /postgres|postmaster/.test(c);
}

/** pid and port of a running postmaster, from postmaster.pid; null when absent or unreadable. */
export function postmasterInfo(dataDir: string): { pid: number; port: number | null } | null {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    return { pid, port: Number.isInteger(port) && port > 0 ? port : null };
  } catch {
    return null;
  }
}

/**
 * After a postmaster died without cleaning up (kill -9, a crash, a reboot): lets its
 * children exit (they notice the postmaster's death at once; stragglers are killed), then
 * removes postmaster.pid and the socket lock files. A dead postmaster that nobody reaped
 * yet still passes Postgres's own kill(pid, 0) check, so Postgres cannot do this itself.
 */
export async function clearStaleCluster(dataDir: string, log: Log): Promise<void> {
  await endClusterProcesses(dataDir);
  const stale = fs.readdirSync(dataDir).filter((f) => f === 'postmaster.pid' || /^\.s\.PGSQL\.\d+(\.lock)?$/.test(f));
  if (stale.length) log(`removing stale ${stale.join(', ')}`);
  for (const f of stale) fs.rmSync(path.join(dataDir, f), { force: true });
}

async function endClusterProcesses(dataDir: string): Promise<void> {
  const none = () => clusterProcesses(dataDir).length === 0;
  if (await waitUntil(none, 10_000)) return;
  for (const pid of clusterProcesses(dataDir)) trySignal(pid, 'SIGKILL');
  await waitUntil(none, 5_000);
}

/** Live processes whose working directory is the data dir: the postmaster's children (Linux). */
function clusterProcesses(dataDir: string): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const real = fs.realpathSync(dataDir);
  return entries.map(Number).filter((pid) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/cwd`) === real && isAlive(pid);
    } catch {
      return false;
    }
  });
}
