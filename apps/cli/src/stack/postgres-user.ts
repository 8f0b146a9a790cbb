// Postgres refuses to run as root: as root, initdb, postgres and pg_ctl run as the system
// user barrage-pg, created once, whose home holds what it cannot reach elsewhere.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { Log } from './types.js';
import { run, which } from './os.js';

export const PG_OS_USER = 'barrage-pg';
export const PG_USER_HOME = '/var/lib/barrage-pg';

/** Creates the system user that runs Postgres when we are root (once). */
export function ensurePgUser(log: Log): string {
  if (run('id', ['-u', PG_OS_USER]).status === 0) return PG_OS_USER;
  log(`creating system user ${PG_OS_USER} to run Postgres (it refuses to run as root)`);
  const useradd = which('useradd', ['/usr/sbin', '/sbin']);
  if (!useradd) throw new Error(`Postgres cannot run as root and useradd is missing: create a user named ${PG_OS_USER} yourself`);
  const r = run(useradd, ['--system', '--no-create-home', '--home-dir', PG_USER_HOME, '--shell', '/usr/sbin/nologin', '--user-group', PG_OS_USER]);
  // Another stack up may have created the user meanwhile.
  if (r.status !== 0 && run('id', ['-u', PG_OS_USER]).status !== 0) throw new Error(`useradd ${PG_OS_USER} failed: ${r.out}`);
  return PG_OS_USER;
}

export function chownTo(user: string, target: string): void {
  const r = run('chown', ['-R', `${user}:`, target]);
  if (r.status !== 0) throw new Error(`chown ${user} ${target} failed: ${r.out}`);
}

/** Creates PG_USER_HOME (owned by root) open for barrage-pg to enter. */
export function openUserHome(): void {
  fs.mkdirSync(PG_USER_HOME, { recursive: true, mode: 0o755 });
  fs.chmodSync(PG_USER_HOME, 0o755);
}

/** A short name in PG_USER_HOME for a path elsewhere: the same path, the same name. */
export function hashOf(s: string, length: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, length);
}
