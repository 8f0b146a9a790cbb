import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStackEnv } from './stack/index.js';

/** The repository root (apps/cli/dist/env.js → ../../..). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The environment an app is configured from: the process environment, with the local
 * stack's DATABASE_URL and REDIS_URL filled in when `barrage stack up` wrote them.
 */
export function appEnv(processEnv: NodeJS.ProcessEnv, overrides: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...(readStackEnv(repoRoot) ?? {}), ...processEnv, ...overrides };
}
