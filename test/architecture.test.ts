/**
 * The import rules of .dependency-cruiser.cjs hold for the whole tree: no cycles, libs never
 * import apps or do I/O, apps never import each other.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');

function cruise(paths: string[]) {
  const r = spawnSync(depcruise, [...paths, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (!r.stdout) throw new Error(`depcruise did not run: ${r.stderr || r.error}`);
  const result = JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[]; totalCruised: number } };
  return result.summary;
}

jest.setTimeout(120_000);

it('apps and libs follow the dependency rules', () => {
  const summary = cruise(['apps', 'libs']);
  expect(summary.totalCruised).toBeGreaterThan(100);
  expect(summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
});

it('would catch a lib that reaches into an app or opens a socket', () => {
  const dir = mkdtempSync(join(root, 'libs', 'config', 'src', 'tmp-'));
  try {
    writeFileSync(join(dir, 'bad.ts'), "import { createServer } from 'node:net';\nimport { startHead } from '../../../../apps/head/src/main.js';\nexport const bad = [createServer, startHead];\n");
    const rules = cruise([dir]).violations.map((v) => v.rule.name).sort();
    expect(rules).toEqual(['libs-no-node-io', 'libs-not-apps']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
