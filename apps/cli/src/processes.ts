import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cliMain = fileURLToPath(new URL('./main.js', import.meta.url));

/** Listens on 127.0.0.1:`port` (0: any) and closes again; the port it got, a rejection when taken. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const got = (server.address() as AddressInfo).port;
      server.close(() => resolve(got));
    });
  });
}

/**
 * A free TCP port on 127.0.0.1: the first of `preferred` that is free, else one the OS
 * hands out. Never one of `avoid`: ports kept for another service, which the OS may hand
 * out while that service is down.
 */
export async function freePort(preferred: number | readonly (number | null)[] = [], avoid: readonly number[] = []): Promise<number> {
  for (const port of typeof preferred === 'number' ? [preferred] : preferred) {
    if (port && !avoid.includes(port) && (await listenOnce(port).then(() => true, () => false))) return port;
  }
  for (;;) {
    const port = await listenOnce(0);
    if (!avoid.includes(port)) return port;
  }
}

/**
 * Starts `barrage <args>` as a child process, its JSON logs appended to `logFile`. `cli` is
 * the built entry point; tests running from source name it.
 */
export function spawnBarrage(args: string[], env: Record<string, string | undefined>, logFile: string, cli = cliMain): ChildProcess {
  mkdirSync(join(logFile, '..'), { recursive: true });
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [cli, ...args], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
export function stopChild(child: ChildProcess, graceMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** Asks `cond` every `everyMs` until it holds (true) or `timeoutMs` has passed (false); it is asked once more at the deadline. */
export async function waitUntil(cond: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Polls `probe` until it returns a value, or throws after `timeoutMs` with `what` in the message. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  // A probe that throws is asked again: the last error explains a timeout.
  const seen: { value?: T; error?: unknown } = {};
  const asked = async (): Promise<boolean> => {
    try {
      seen.value = (await probe()) || undefined;
    } catch (e) {
      seen.error = e;
    }
    return seen.value !== undefined;
  };
  if (await waitUntil(asked, timeoutMs, everyMs)) return seen.value as T;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen.error ? ` (last error: ${(seen.error as Error).message})` : ''}`);
}
