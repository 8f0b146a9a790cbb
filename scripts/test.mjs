#!/usr/bin/env node
// `npm test`: set up, start the local stack, run every test, stop the stack, and close with
// the line `tests: N passed, M failed`. Unit tests run in parallel; end-to-end tests one file
// at a time, since each starts a head and factories on this machine's two cores.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './ensure-chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'apps/cli/dist/main.js');
const jest = join(root, 'node_modules/jest/bin/jest.js');
const extra = process.argv.slice(2);

function run(cmd, args, env = process.env) {
  return spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
}

if (run('node', [join(root, 'scripts/setup.mjs')]) !== 0) {
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}
if (run('node', [cli, 'stack', 'up']) !== 0) {
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}
// The one parser of env files (libs/config), built by setup above.
const { parseEnvFile } = await import('../libs/config/dist/index.js');
const stackEnv = parseEnvFile(readFileSync(join(root, '.barrage/stack.env'), 'utf8'));
const env = { ...process.env, ...stackEnv };

let passed = 0;
let failed = 0;
let status = 0;
for (const [project, flags] of [['unit', []], ['e2e', ['--runInBand']]]) {
  // The page tests drive Debian's Chromium; when it cannot be installed they fail saying why.
  if (project === 'e2e') ensureChromium();
  const out = join(root, `.barrage/jest-${project}.json`);
  rmSync(out, { force: true });
  const code = run('node', [jest, '--selectProjects', project, ...flags, '--json', `--outputFile=${out}`, ...extra], env);
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  } else if (code !== 0) failed += 1;
  if (code !== 0) status = 1;
}
run('node', [cli, 'stack', 'down']);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(status);
