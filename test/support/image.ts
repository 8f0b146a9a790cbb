/**
 * The image's entrypoint as the Dockerfile declares it, and the factory's: the same with
 * `--single-threaded-gc` given to node (docs/architecture.md#threads says why). The manifests
 * that spell the factory's out are checked against this, so a changed entrypoint fails them
 * instead of leaving them to run an old one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function imageEntrypoint(): string[] {
  const dockerfile = readFileSync(join(__dirname, '..', '..', 'Dockerfile'), 'utf8');
  const line = dockerfile.split('\n').filter((l) => l.startsWith('ENTRYPOINT ')).at(-1);
  if (!line) throw new Error('the Dockerfile has no ENTRYPOINT');
  return JSON.parse(line.slice('ENTRYPOINT '.length)) as string[];
}

export function factoryEntrypoint(): string[] {
  const entrypoint = imageEntrypoint();
  const node = entrypoint.indexOf('node');
  if (node < 0) throw new Error(`the image's entrypoint does not run node: ${JSON.stringify(entrypoint)}`);
  return [...entrypoint.slice(0, node + 1), '--single-threaded-gc', ...entrypoint.slice(node + 1)];
}
