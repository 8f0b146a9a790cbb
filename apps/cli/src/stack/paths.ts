import * as path from 'node:path';

/**
 * Where the stack keeps its files, under <root>/.barrage/ (git-ignored):
 *
 *   .barrage/stack.env          DATABASE_URL=… and REDIS_URL=… (what the apps read)
 *   .barrage/postgres/          Postgres data dir (postmaster.pid inside it)
 *   .barrage/redis/             Redis dir and redis.pid
 *   .barrage/logs/              postgres.log, redis.log
 */
export interface Paths {
  base: string;
  pgData: string;
  redisDir: string;
  redisPid: string;
  logs: string;
  pgLog: string;
  redisLog: string;
  env: string;
}

export function paths(root: string): Paths {
  const base = path.join(path.resolve(root), '.barrage');
  return {
    base,
    pgData: path.join(base, 'postgres'),
    redisDir: path.join(base, 'redis'),
    redisPid: path.join(base, 'redis', 'redis.pid'),
    logs: path.join(base, 'logs'),
    pgLog: path.join(base, 'logs', 'postgres.log'),
    redisLog: path.join(base, 'logs', 'redis.log'),
    env: path.join(base, 'stack.env'),
  };
}
