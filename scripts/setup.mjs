#!/usr/bin/env node
// Installs and builds the workspace on a machine that has only Node and npm.
// Idempotent: a second run with nothing changed takes a few seconds.
//   node scripts/setup.mjs              install (if needed) + generate + build
//   node scripts/setup.mjs --build-only generate + build
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = pkg.packageManager.split('@')[1];
const buildOnly = process.argv.includes('--build-only');

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`setup: '${cmd} ${args.join(' ')}' failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

/** pnpm without a global install: a pnpm on PATH of the pinned version, else npx fetches it from the npm registry. */
function pnpm(args) {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim() === pnpmVersion) return run('pnpm', args);
  run('npx', ['--yes', `pnpm@${pnpmVersion}`, ...args], { npm_config_update_notifier: 'false' });
}

function installNeeded() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(marker)) return true;
  const lock = join(root, 'pnpm-lock.yaml');
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs;
}

if (!buildOnly && installNeeded()) {
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) && process.env.CI ? ['--frozen-lockfile'] : [];
  pnpm(['install', ...frozen]);
}
// Prisma's generator runs offline when it is told the schema engine exists; we never call that engine.
run('node', [join(root, 'apps/head/node_modules/prisma/build/index.js'), 'generate', '--schema', 'prisma/schema.prisma'], {
  PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
});
run('node', [join(root, 'node_modules/typescript/bin/tsc'), '-b']);
