/**
 * The OpenAPI document the head serves at /openapi.json passes Redocly's linter
 * (@redocly/openapi-core, `recommended` rules; an example that does not match its schema is
 * an error too). No cluster needed: the document is generated from libs/contracts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApiDocument } from '@barrage/contracts';

interface Problem {
  severity: 'error' | 'warn' | 'off';
  rule: string;
  message: string;
  where: string;
}

function lint(document: unknown): Problem[] {
  const dir = mkdtempSync(join(tmpdir(), 'barrage-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const run = spawnSync(process.execPath, [join(__dirname, 'support', 'lint-openapi.mjs'), file], { encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0) throw new Error(`the linter failed (exit ${run.status}): ${run.stderr}`);
    return JSON.parse(run.stdout) as Problem[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

jest.setTimeout(60_000);

it('has no lint error', () => {
  const errors = lint(openApiDocument('0.1.0')).filter((p) => p.severity === 'error');
  expect(errors).toEqual([]);
});

it('the linter does catch a broken document (an undefined $ref, a wrong example)', () => {
  const doc = openApiDocument('0.1.0') as unknown as { paths: Record<string, any> };
  doc.paths['/zones'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
  doc.paths['/health'].get.responses['200'].content['application/json'].example = { status: 'fine' };
  const rules = lint(doc).filter((p) => p.severity === 'error').map((p) => p.rule);
  expect(rules).toEqual(expect.arrayContaining(['no-unresolved-refs', 'no-invalid-media-type-examples']));
});
