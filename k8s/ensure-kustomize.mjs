#!/usr/bin/env node
// Finds a real kustomize (v5) to render k8s/ with, for test/k8s.test.ts:
//   1. `kustomize` on the PATH;
//   2. `kubectl kustomize` (kubectl >= 1.27 embeds kustomize v5; the machines this project
//      is developed and tested on ship kubectl 1.32 with kustomize v5.5.0);
//   3. else, as root with apt-get and unless BARRAGE_NO_INSTALL is set, Debian's package
//      `kustomize` or `kubernetes-client` when the distribution has one, kept only if its
//      kustomize is v5 (Debian 12's kubernetes-client is kubectl 1.20 with kustomize
//      v2.0.3, which cannot read these kustomizations: it is not installed for nothing).
// No npm package implements kustomize, and the Go module proxy is out of reach here, so
// there is no third way. When none works it says why, and the test fails with that reason
// (it is never skipped).
//
// `node k8s/ensure-kustomize.mjs` prints {"command","args","version"} or {"error"} as JSON.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HELP = 'Install kubectl >= 1.27 or kustomize v5 (https://kubectl.docs.kubernetes.io/installation/kustomize/).';
const APT_TIMEOUT_MS = 15 * 60_000;

/** @returns {{ command: string, args: string[], version: string } | null} */
export function findKustomize() {
  const kustomize = spawnSync('kustomize', ['version'], { encoding: 'utf8', timeout: 20_000 });
  if (kustomize.status === 0 && /\bv5\./.test(kustomize.stdout)) {
    return { command: 'kustomize', args: ['build'], version: `kustomize ${kustomize.stdout.trim()}` };
  }
  const kubectl = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 20_000 });
  if (kubectl.status === 0) {
    try {
      const v = JSON.parse(kubectl.stdout);
      if (/^v5\./.test(v.kustomizeVersion ?? '')) {
        return { command: 'kubectl', args: ['kustomize'], version: `kubectl ${v.clientVersion.gitVersion}, kustomize ${v.kustomizeVersion}` };
      }
    } catch {
      // an old kubectl that cannot print JSON: its kustomize is older than v5 as well
    }
  }
  return null;
}

/** @returns {{ command: string, args: string[], version: string } | { error: string }} */
export function ensureKustomize({ env = process.env, log = (m) => console.error(`[kustomize] ${m}`) } = {}) {
  const found = findKustomize();
  if (found) return found;
  if (env.BARRAGE_NO_INSTALL) return { error: `no kustomize v5 (nor kubectl >= 1.27) on the PATH and BARRAGE_NO_INSTALL is set. ${HELP}` };
  const aptGet = ['/usr/bin/apt-get', '/bin/apt-get'].find((p) => existsSync(p));
  if (!aptGet) return { error: `no kustomize v5 (nor kubectl >= 1.27) on the PATH and no apt-get to install one with. ${HELP}` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { error: `no kustomize v5 (nor kubectl >= 1.27) on the PATH; installing one needs root. ${HELP}` };
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync(aptGet, ['update'], { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv, timeout: APT_TIMEOUT_MS });
  if (update.status !== 0) return { error: `\`apt-get update\` failed. ${HELP}` };
  for (const pkg of ['kustomize', 'kubernetes-client']) {
    if (!hasCandidate(pkg)) continue;
    if (!providesKustomize5(pkg)) {
      log(`Debian's ${pkg} embeds a kustomize older than v5: not installed`);
      continue;
    }
    log(`installing Debian's ${pkg}`);
    const r = spawnSync(aptGet, ['install', '-y', '--no-install-recommends', pkg], { stdio: ['ignore', 'ignore', 'inherit'], env: aptEnv, timeout: APT_TIMEOUT_MS });
    if (r.status === 0) {
      const now = findKustomize();
      if (now) return now;
    }
  }
  return { error: `no kustomize v5 (nor kubectl >= 1.27) on the PATH, and this distribution's packages have none. ${HELP}` };
}

function hasCandidate(pkg) {
  const policy = spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
  const candidate = /Candidate:\s*(\S+)/.exec(policy.stdout ?? '')?.[1];
  return Boolean(candidate && candidate !== '(none)');
}

/** kustomize v5 is `kustomize` 5.x, or kubectl 1.27 and later. */
function providesKustomize5(pkg) {
  const version = /Candidate:\s*(?:\d+:)?(\d+)\.(\d+)/.exec(spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8' }).stdout ?? '');
  if (!version) return false;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return pkg === 'kustomize' ? major >= 5 : major > 1 || (major === 1 && minor >= 27);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(ensureKustomize()));
}
