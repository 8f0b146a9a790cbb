/**
 * `npm run setup` from a fresh clone (docs/conventions.md): it installs, generates and builds,
 * and prints no warning of npm's or pnpm's (an unknown project setting in .npmrc, a peer
 * dependency, a build script pnpm did not approve, ...). The clone is of this checkout's HEAD,
 * in a temporary folder; packages come from pnpm's store, so it takes seconds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(300_000);

const root = join(__dirname, '..');
let dir = '';

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('npm run setup in a fresh clone succeeds and prints no npm or pnpm warning', () => {
  dir = mkdtempSync(join(tmpdir(), 'barrage-clone-'));
  const clone = spawnSync('git', ['clone', '-q', root, join(dir, 'repo')], { encoding: 'utf8' });
  expect(clone.status).toBe(0);
  const setup = spawnSync('npm', ['run', 'setup'], { cwd: join(dir, 'repo'), encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' }, timeout: 280_000 });
  const output = `${setup.stdout}\n${setup.stderr}`;
  expect({ status: setup.status, tail: setup.status === 0 ? '' : output.slice(-2000) }).toEqual({ status: 0, tail: '' });
  expect(output.split('\n').filter((line) => /\bwarn(ing)?\b/i.test(line))).toEqual([]);
});
