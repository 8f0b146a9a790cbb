// What the stack asks of the operating system: processes by pid, executables on PATH, and
// commands run as another user.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitUntil } from '../processes.js';

/** A live process (a zombie, killed but not yet reaped by its parent, counts as gone). */
export function isAlive(pid: number): boolean {
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

/** The pid on the first line of a pid file; null when absent or not a pid. */
export function readPid(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0].trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The command line of a process (Linux /proc); '' when unknown. */
export function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Sends `signal`; false when the process is gone (or not ours to signal). */
export function trySignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL when the process outlives `graceMs`; true once it is gone. */
export async function terminate(pid: number, graceMs: number): Promise<boolean> {
  if (!trySignal(pid, 'SIGTERM') || (await waitUntil(() => !isAlive(pid), graceMs))) return true;
  trySignal(pid, 'SIGKILL');
  return waitUntil(() => !isAlive(pid), 5_000);
}

/** The last lines of a log file, for an error message. */
export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The executable `cmd` on PATH or in `extra` (sbin directories are often off a user's PATH). */
export function which(cmd: string, extra: string[] = []): string | null {
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

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

export interface RunResult {
  status: number | null;
  out: string;
}

export interface RunOptions {
  user?: string | null;
  input?: string;
  stdio?: SpawnSyncOptions['stdio'];
}

/** Runs a command (as `user` when given, via runuser or su) and captures its output. */
export function run(cmd: string, args: string[], o: RunOptions = {}): RunResult {
  const [file, argv] = o.user ? asUser(o.user, cmd, args) : [cmd, args];
  const r = spawnSync(file, argv, {
    cwd: '/',
    input: o.input,
    stdio: o.stdio ?? ['pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    // Untranslated messages: callers match words such as ERROR in the output.
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
  });
  if (r.error) return { status: null, out: String(r.error.message) };
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The command line that runs `cmd` as `user`: runuser where there is one, else su with a shell. */
function asUser(user: string, cmd: string, args: string[]): [string, string[]] {
  const runuser = which('runuser', ['/usr/sbin', '/sbin']);
  if (runuser) return [runuser, ['-u', user, '--', cmd, ...args]];
  return [which('su', ['/bin', '/usr/bin']) ?? 'su', [user, '-s', '/bin/sh', '-c', [cmd, ...args].map(shellQuote).join(' ')]];
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
