// The local stack: one Postgres and one Redis for development, tests and the demo, kept
// under <root>/.barrage/ (see paths.ts). Idempotent: `stackUp` on a running stack returns
// its addresses; stale pid files are cleaned up; ports are chosen once and kept in
// .barrage/stack.env for later runs.
import * as fs from 'node:fs';
import { portOf, readStackEnv, writeStackEnv } from './env-file.js';
import { paths } from './paths.js';
import { databaseUrl, postgresDown, postgresStatus, postgresUp } from './postgres.js';
import { redisDown, redisStatus, redisUp, redisUrl } from './redis.js';
import type { StackInfo, StackOptions, StackSettings, StackStatus } from './types.js';

export type { ServiceStatus, StackInfo, StackOptions, StackSettings, StackStatus } from './types.js';
export { readStackEnv } from './env-file.js';
export { PG_PREFERRED_PORT } from './postgres.js';
export { REDIS_PREFERRED_PORT } from './redis.js';

export function stackSettings(env: Record<string, string | undefined>): StackSettings {
  return { pgBin: env.BARRAGE_PG_BIN || undefined, noInstall: Boolean(env.BARRAGE_NO_INSTALL) };
}

const noop = (): void => {};

/** Starts (or finds running) the local Postgres and Redis; writes .barrage/stack.env. */
export async function stackUp(opts: StackOptions): Promise<StackInfo> {
  const log = opts.log ?? noop;
  const p = paths(opts.root);
  for (const d of [p.base, p.redisDir, p.logs]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  const env = readStackEnv(opts.root) ?? {};
  const keptRedis = portOf(env.REDIS_URL);
  const settings = opts.settings ?? {};
  // Neither service takes the port the other keeps, even while the other is down.
  const pgPort = await postgresUp(p, portOf(env.DATABASE_URL), keptRedis ? [keptRedis] : [], log, settings);
  writeStackEnv(p, { pgPort }); // kept even when Redis fails to start
  const redisPort = await redisUp(p, keptRedis, [pgPort], log, settings);
  writeStackEnv(p, { pgPort, redisPort });
  return { databaseUrl: databaseUrl(pgPort), redisUrl: redisUrl(redisPort), pgPort, redisPort };
}

/** Stops both services, keeps their data; does nothing when nothing runs. */
export async function stackDown(opts: StackOptions): Promise<void> {
  const log = opts.log ?? noop;
  const p = paths(opts.root);
  if (!fs.existsSync(p.base)) return;
  const env = readStackEnv(opts.root) ?? {};
  await redisDown(p, portOf(env.REDIS_URL), log);
  await postgresDown(p, log, opts.settings ?? {});
}

/** What runs: each service's pid and port, and whether it answers. */
export async function stackStatus(root: string): Promise<StackStatus> {
  const p = paths(root);
  const env = readStackEnv(root);
  const postgres = await postgresStatus(p, portOf(env?.DATABASE_URL));
  const redis = await redisStatus(p, portOf(env?.REDIS_URL));
  return { postgres, redis, env };
}
