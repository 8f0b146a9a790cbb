// .barrage/stack.env: the addresses the apps read, and the ports kept for later runs.
import * as fs from 'node:fs';
import { parseEnvFile } from '@barrage/config';
import { newSecretsKey } from '@barrage/contracts';
import { paths, type Paths } from './paths.js';
import { databaseUrl } from './postgres.js';
import { redisUrl } from './redis.js';

/** Reads `<root>/.barrage/stack.env` (KEY=VALUE lines); null when it does not exist. */
export function readStackEnv(root: string): Record<string, string> | null {
  return readEnvFile(paths(root).env);
}

function readEnvFile(file: string): Record<string, string> | null {
  return fs.existsSync(file) ? parseEnvFile(fs.readFileSync(file, 'utf8')) : null;
}

/** The port of a URL; null when there is none. */
export function portOf(url: string | undefined): number | null {
  if (!url) return null;
  try {
    const p = Number(new URL(url).port);
    return Number.isInteger(p) && p > 0 ? p : null;
  } catch {
    return null;
  }
}

/** Writes the given ports; a service not given keeps the port the file already holds. */
export function writeStackEnv(p: Paths, ports: { pgPort?: number | null; redisPort?: number | null }): void {
  const prev = readEnvFile(p.env) ?? {};
  const pg = ports.pgPort ?? portOf(prev.DATABASE_URL);
  const redis = ports.redisPort ?? portOf(prev.REDIS_URL);
  const lines = ['# Written by the Barrage local stack (barrage stack up). Ports are kept for later runs.'];
  if (pg) lines.push(`DATABASE_URL=${databaseUrl(pg)}`);
  if (redis) lines.push(`REDIS_URL=${redisUrl(redis)}`);
  // The local stack's own key for scenario secrets (docs/security.md#secrets), made once and kept.
  lines.push(`SECRETS_KEY=${prev.SECRETS_KEY || newSecretsKey()}`);
  fs.writeFileSync(p.env, lines.join('\n') + '\n', { mode: 0o600 });
}
