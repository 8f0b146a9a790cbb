#!/usr/bin/env node
// Makes sure Debian's Chromium is at /usr/bin/chromium for the page tests (playwright-core
// drives it; Playwright's own browser download is never used). Installed the way the local
// stack installs redis-server: only when missing, as root, with `apt-get update` then
// `apt-get install -y chromium`, and never when BARRAGE_NO_INSTALL is set.
//
// It never fails the run by itself: when Chromium is still missing it writes the reason to
// .barrage/chromium-install-error.txt, and the page tests fail with that reason
// (test/support/browser.ts) rather than being skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const errorFile = join(root, '.barrage', 'chromium-install-error.txt');
const HELP = 'Install it yourself (Debian/Ubuntu: `sudo apt-get install -y chromium`).';
/** apt-get can wait a long time on a slow mirror; never forever. */
const APT_TIMEOUT_MS = 15 * 60_000;

/** @returns {{ ok: boolean, message: string }} */
export function ensureChromium({ env = process.env, log = (m) => console.log(`[chromium] ${m}`) } = {}) {
  const result = install(env, log);
  mkdirSync(dirname(errorFile), { recursive: true });
  if (result.ok) rmSync(errorFile, { force: true });
  else {
    writeFileSync(errorFile, `${result.message}\n`);
    log(`${result.message} The page tests will fail.`);
  }
  return result;
}

function install(env, log) {
  if (existsSync(CHROMIUM_PATH)) return { ok: true, message: `found ${CHROMIUM_PATH}` };
  if (env.BARRAGE_NO_INSTALL) return { ok: false, message: `${CHROMIUM_PATH} is missing and BARRAGE_NO_INSTALL is set: nothing was installed. ${HELP}` };
  const aptGet = ['/usr/bin/apt-get', '/bin/apt-get'].find((p) => existsSync(p));
  if (!aptGet) return { ok: false, message: `${CHROMIUM_PATH} is missing and there is no apt-get to install it with. ${HELP}` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, message: `${CHROMIUM_PATH} is missing and installing it needs root. ${HELP}` };
  }
  log('chromium is missing: running `apt-get update` then `apt-get install -y chromium`');
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const r = spawnSync(aptGet, args, { stdio: ['ignore', 'inherit', 'inherit'], env: aptEnv, timeout: APT_TIMEOUT_MS });
    if (r.status !== 0) {
      const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
      return { ok: false, message: `\`apt-get ${args.join(' ')}\` failed (${why}). ${HELP}` };
    }
  }
  if (!existsSync(CHROMIUM_PATH)) return { ok: false, message: `apt-get installed chromium but ${CHROMIUM_PATH} is still missing. ${HELP}` };
  log(`installed ${CHROMIUM_PATH}`);
  return { ok: true, message: `installed ${CHROMIUM_PATH}` };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(ensureChromium().ok ? 0 : 1);
}
