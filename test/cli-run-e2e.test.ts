/**
 * `barrage run`, `watch` and `ls` as a CI job uses them: the built CLI as a child process
 * against a real head and factory, a local target that counts what it receives, and the
 * exit code, the JUnit file and the report file as the verdict.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse as parseJunit } from 'junit2json';
import { reportSchema } from '@barrage/contracts';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { freePort, startCluster, waitFor, type Cluster } from './support/cluster';

jest.setTimeout(180_000);

const cli = join(__dirname, '..', 'apps', 'cli', 'dist', 'main.js');
const tag = randomUUID().slice(0, 6);
const scenarioName = `cli-run-${tag}`;

let cluster: Cluster;
let target: RunningTarget;
let dir: string;
const keys: { failed?: string; passed?: string; aborted?: string } = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'barrage-cli-run-'));
  target = await startTarget();
  cluster = await startCluster({ factories: [{ zone: 'cli', capacity: 100 }] });
});

afterAll(async () => {
  await cluster?.stop();
  await target?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts the built CLI; `done` resolves when it exits (killed after 120 s: never hangs the suite). */
function startCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH ?? '', BARRAGE_HEAD: cluster?.api.base ?? '', BARRAGE_KEY: cluster?.api.key ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, stdout: () => stdout, done };
}

const runCli = (args: string[], env?: Record<string, string>) => startCli(args, env).done;
const keyOf = (stdout: string) => /campaign (\w+) "/.exec(stdout)?.[1];

/** A test file: the scenario against the target, one zone, 50 arrivals/s. */
function testFile(name: string, durationMs: number, thresholds: string[]) {
  return {
    scenarios: [{ name: scenarioName, variables: { base: target.url }, steps: [{ name: 'hello', url: '{{base}}/hello', checks: [{ status: [200] }] }] }],
    campaign: {
      name,
      startOffsetMs: 300,
      scenarios: { [scenarioName]: { zones: { [cluster.zones[0]!]: 100 }, executionProfile: { profile: 'CONSTANT_RATE', rate: 50, durationMs } } },
      thresholds: { [scenarioName]: thresholds },
    },
  };
}

/** The same file written as YAML, by hand: the CLI must read it with its YAML parser. */
function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) return value.map((v) => `\n${indent}- ${toYaml(v, `${indent}  `).trimStart()}`).join('');
  if (value && typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `\n${indent}${JSON.stringify(k)}:${typeof v === 'object' && v !== null ? toYaml(v, `${indent}  `) : ` ${JSON.stringify(v)}`}`)
      .join('');
  return JSON.stringify(value);
}

it('fails the build on a breached threshold: exit 1, and a JUnit file with exactly one failed case', async () => {
  const file = join(dir, 'failing.yaml');
  writeFileSync(file, toYaml(testFile('cli must fail', 2000, ['count < 10', 'errorRate < 0.01'])));
  const junitPath = join(dir, 'out', 'failing.xml');
  const r = await runCli(['run', file, '--junit', junitPath]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(1);
  keys.failed = keyOf(r.stdout);
  expect(r.stdout).toMatch(/FAILED/);
  expect(r.stdout).toMatch(/✗ cli-run-\w+: count < 10/);

  const junit = (await parseJunit(readFileSync(junitPath, 'utf8'))) as any;
  const suites = junit.testsuite as any[];
  expect(suites).toHaveLength(1);
  const cases = suites[0].testcase as any[];
  expect(cases.map((c) => c.name).sort()).toEqual([`${scenarioName}: count < 10`, `${scenarioName}: errorRate < 0.01`]);
  const failed = cases.filter((c) => c.failure);
  expect(failed).toHaveLength(1);
  expect(failed[0].name).toBe(`${scenarioName}: count < 10`);
  expect(failed[0].failure[0].message).toMatch(/observed 100/);
  expect(suites[0].failures).toBe(1);
  expect(suites[0].tests).toBe(2);
});

it('passes the build when every threshold holds: exit 0, and report.json agrees with the target', async () => {
  target.reset();
  const file = join(dir, 'passing.json');
  writeFileSync(file, JSON.stringify(testFile('cli must pass', 2000, ['errorRate < 0.01', 'count > 0'])));
  const out = join(dir, 'report.json');
  const junitPath = join(dir, 'passing.xml');
  const html = join(dir, 'report.html');
  const r = await runCli(['run', file, '--out', out, '--junit', junitPath, '--html', html]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  keys.passed = keyOf(r.stdout);
  expect(r.stdout).toMatch(/PASSED/);
  // Not a terminal: plain lines, no cursor movements.
  expect(r.stdout).not.toMatch(/\x1b\[\d*[AGK]/);
  expect(r.stdout).toMatch(/status running/);

  const report = JSON.parse(readFileSync(out, 'utf8'));
  // --out is the head's report as it answered, the documented shape.
  expect(reportSchema.safeParse(report).error).toBeUndefined();
  expect(report.metadata.key).toBe(keys.passed);
  expect(report.metadata.result).toBe('passed');
  expect(report.summary.requests).toBe(100);
  expect(target.stats.total).toBe(report.summary.requests);
  expect(report.summary.failures).toBe(0);
  const junit = (await parseJunit(readFileSync(junitPath, 'utf8'))) as any;
  expect(junit.testsuite[0].testcase.filter((c: any) => c.failure)).toHaveLength(0);
  expect(readFileSync(html, 'utf8')).toMatch(/<html/i);
});

it('aborts the campaign it started on SIGINT, then exits 2', async () => {
  const file = join(dir, 'long.json');
  writeFileSync(file, JSON.stringify(testFile('cli interrupted', 60_000, ['errorRate < 0.01'])));
  const run = startCli(['run', file]);
  await waitFor('the campaign to run', async () => /status running/.test(run.stdout()), 60_000, 100);
  keys.aborted = keyOf(run.stdout());
  run.child.kill('SIGINT');
  const r = await run.done;
  expect(r.code).toBe(2);
  expect(r.stdout).toMatch(/SIGINT: aborting campaign/);
  const c = (await cluster.api.request('GET', `/campaigns/${keys.aborted}`)).body;
  expect(c.status).toBe('aborted');
  // Far fewer than the 3,000 arrivals planned: the load stopped.
  expect(c.totals.requests).toBeLessThan(3000);
});

it('watch replays a finished campaign and ends with its verdict', async () => {
  const r = await runCli(['watch', keys.failed!, '--quiet']);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/FAILED/);
});

it('ls lists the campaigns newest first, filters by status, and prints JSON', async () => {
  const json = await runCli(['ls', '--json', '--limit', '100']);
  expect(json.code).toBe(0);
  const listed = (JSON.parse(json.stdout) as { key: string; status: string; result: string | null }[]).map((c) => c.key);
  const ours = [keys.aborted!, keys.passed!, keys.failed!];
  expect(listed.filter((k) => ours.includes(k))).toEqual(ours);

  const table = await runCli(['ls', '--limit', '100']); // other test files create campaigns meanwhile
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(new RegExp(`${keys.passed}\\s+cli must pass\\s+completed\\s+passed`));
  expect(table.stdout).toMatch(new RegExp(`${keys.failed}\\s+cli must fail\\s+completed\\s+failed`));

  const aborted = await runCli(['ls', '--status', 'aborted', '--json', '--limit', '100']);
  const abortedKeys = (JSON.parse(aborted.stdout) as { key: string }[]).map((c) => c.key);
  expect(abortedKeys).toContain(keys.aborted);
  expect(abortedKeys).not.toContain(keys.passed);

  const bad = await runCli(['ls', '--status', 'finished']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/unknown status finished/);
});

it('exits 2 with a clear message on a bad file or an unreachable head', async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ scenarios: [{ name: 'x', steps: [] }], campaign: { name: 'c', scenarios: {} } }));
  const invalid = await runCli(['run', bad]);
  expect(invalid.code).toBe(2);
  expect(invalid.stderr).toMatch(/is not a valid test file/);
  expect(invalid.stderr).toMatch(/scenarios\.0\.steps: /);
  expect(invalid.stderr).toMatch(/campaign\.scenarios: must contain at least one scenario/);

  const good = join(dir, 'passing.json');
  const closed = `http://127.0.0.1:${await freePort()}`; // nothing listens there
  const unreachable = await runCli(['run', good, '--head', closed]);
  expect(unreachable.code).toBe(2);
  expect(unreachable.stderr).toBe(`barrage: cannot reach the head at ${closed}: ECONNREFUSED\n`);

  const missing = await runCli(['run', join(dir, 'nope.json')]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/cannot read .*nope\.json: ENOENT/);
});

it('documents every command and option with its default, and refuses unknown ones with a hint (exit 2)', async () => {
  const help = await runCli(['--help'], { BARRAGE_HEAD: '' });
  expect(help.code).toBe(0);
  for (const command of ['stack', 'head', 'factory', 'target', 'demo', 'run', 'watch', 'ls']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));

  const run = await runCli(['run', '--help'], { BARRAGE_HEAD: '' });
  expect(run.code).toBe(0);
  for (const option of ['--head <url>', '--key <key>', '--out <file>', '--junit <file>', '--html <file>', '--quiet']) expect(run.stdout).toContain(option);
  expect(run.stdout).toMatch(/\(default:\s+"http:\/\/127\.0\.0\.1:8400"\)/);
  // The environment gives the default, and help shows it; a key's value never appears.
  const fromEnv = await runCli(['ls', '--help'], { BARRAGE_HEAD: 'http://head.example:8400', BARRAGE_KEY: 'secret-key' });
  expect(fromEnv.stdout).toMatch(/\(default:\s+"http:\/\/head\.example:8400"\)/);
  expect(fromEnv.stdout).toMatch(/--limit <n>[^]*\(default:\s+20\)/);
  expect(fromEnv.stdout).not.toContain('secret-key');

  const version = await runCli(['--version']);
  expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(__dirname, '..', 'apps', 'cli', 'package.json'), 'utf8')).version);

  const typo = await runCli(['run', 'x.json', '--jnuit', 'r.xml']);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toMatch(/unknown option '--jnuit'\n\(Did you mean --junit\?\)/);
  expect(typo.stderr).toMatch(/see 'barrage run --help'/);
  const missing = await runCli(['watch']);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/missing required argument 'key'/);
});
