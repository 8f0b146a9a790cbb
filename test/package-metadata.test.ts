/** The licence (LICENSE, Apache-2.0) and every workspace package's metadata: licence, repository, engines. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const packages = ['.', ...['apps', 'libs'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`))];

it('the repository carries the Apache License 2.0', () => {
  const text = readFileSync(join(root, 'LICENSE'), 'utf8');
  expect(text).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  expect(text).toContain('END OF TERMS AND CONDITIONS');
});

it.each(packages)('%s/package.json names its licence, repository and Node versions', (dir) => {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { license?: string; repository?: { url?: string; directory?: string }; engines?: { node?: string } };
  expect(pkg.license).toBe('Apache-2.0');
  expect(pkg.repository?.url).toMatch(/^git\+https:\/\//);
  expect(pkg.repository?.directory).toBe(dir === '.' ? undefined : dir);
  expect(pkg.engines?.node).toBe('>=20.19');
});
