/** The `barrage` command as an operator meets it: bad configuration is named, not a stack trace. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const cli = join(__dirname, '..', 'apps', 'cli', 'dist', 'main.js');
const run = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });

it('refuses to start a head on a bad PORT, naming the variable', () => {
  const r = run(['head'], { DATABASE_URL: process.env.DATABASE_URL!, REDIS_URL: process.env.REDIS_URL!, PORT: 'eighty' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/invalid configuration: PORT: /);
});

it('refuses to start a factory with a bad REDIS_URL or zone, naming both', () => {
  const r = run(['factory', '--zone', 'eu west'], { REDIS_URL: 'localhost:6379' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/REDIS_URL: must be a redis:\/\//);
  expect(r.stderr).toMatch(/ZONE: /);
});

it('explains its usage on an unknown command', () => {
  const r = run(['launch'], {});
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown command 'launch'/);
  expect(r.stderr).toMatch(/barrage factory --zone Z/);
});
