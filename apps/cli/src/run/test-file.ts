/** Reads the file of `barrage run` (JSON, or YAML by its extension) and checks it against the contract. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { issuePath, testFileSchema, type TestFileInput } from '@barrage/contracts';
import { CliError } from './head-client.js';

/**
 * The text of a test file as data. `.yaml`/`.yml` is YAML; anything else JSON. Returns the
 * input as written: the head applies the defaults itself when it validates the bodies again.
 */
export function parseTestFile(text: string, path: string): TestFileInput {
  let data: unknown;
  const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase());
  try {
    data = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new CliError(`${path} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
  const checked = testFileSchema.safeParse(data);
  if (!checked.success) {
    const problems = checked.error.issues.map((i) => `\n  ${issuePath(i.path) || '(file)'}: ${i.message}`).join('');
    throw new CliError(`${path} is not a valid test file:${problems}`);
  }
  return data as TestFileInput;
}

export async function loadTestFile(path: string): Promise<TestFileInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseTestFile(text, path);
}
