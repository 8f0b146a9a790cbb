// Integration test of the local stack: real Postgres and Redis processes under a temporary
// root. Run: node_modules/.bin/jest --selectProjects unit apps/cli/src/stack.test.ts
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readStackEnv, stackDown, stackStatus, stackUp, type StackInfo } from '../apps/cli/src/stack/index';

jest.setTimeout(120_000);

const repoRoot = path.resolve(__dirname, '..');
// `pg` belongs to apps/head; the CLI itself needs no client to run the stack.
const { Client } = createRequire(path.join(repoRoot, 'apps', 'head', 'package.json'))('pg') as typeof import('pg');

async function pgSelect(url: string): Promise<number> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const r = await client.query('SELECT 40 + 2 AS n, current_database() AS db');
    expect(r.rows[0].db).toBe('barrage');
    return r.rows[0].n as number;
  } finally {
    await client.end();
  }
}

/** Raw RESP: PING → "+PONG\r\n"; null when nothing answers. */
function redisPing(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (v: string | null) => {
      clearTimeout(t);
      s.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(null), 2000);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => done(d.toString('latin1')));
    s.once('error', () => done(null));
  });
}

describe('local stack', () => {
  let root: string;
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  let first: StackInfo;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'barrage-stack-'));
    fs.chmodSync(root, 0o755); // as root, Postgres runs as barrage-pg, which must reach the data dir
  });

  afterAll(async () => {
    await stackDown({ root }).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('starts Postgres and Redis, both answer', async () => {
    first = await stackUp({ root, log });
    expect(first.databaseUrl).toBe(`postgresql://barrage@127.0.0.1:${first.pgPort}/barrage`);
    expect(first.redisUrl).toBe(`redis://127.0.0.1:${first.redisPort}`);
    expect(first.pgPort).not.toBe(first.redisPort);
    expect(await pgSelect(first.databaseUrl)).toBe(42);
    expect(await redisPing(first.redisPort)).toMatch(/^\+PONG/);
    // And a key for scenario secrets, made once for the local stack (docs/security.md#secrets).
    expect(readStackEnv(root)).toEqual({ DATABASE_URL: first.databaseUrl, REDIS_URL: first.redisUrl, SECRETS_KEY: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) });
    const st = await stackStatus(root);
    expect(st.postgres).toMatchObject({ running: true, port: first.pgPort });
    expect(st.redis).toMatchObject({ running: true, port: first.redisPort });
    expect(fs.existsSync(path.join(root, '.barrage', 'postgres', 'PG_VERSION'))).toBe(true);
  });

  it('is idempotent: a second up finds both running on the same ports', async () => {
    const pgPid = (await stackStatus(root)).postgres.pid;
    logs.length = 0;
    const again = await stackUp({ root, log });
    expect(again).toEqual(first);
    expect((await stackStatus(root)).postgres.pid).toBe(pgPid);
    expect(logs.join('\n')).toMatch(/already running/);
    expect(await pgSelect(again.databaseUrl)).toBe(42);
  });

  it('cleans up after processes that died without cleaning up, and keeps the ports', async () => {
    const st = await stackStatus(root);
    process.kill(st.redis.pid!, 'SIGKILL');
    process.kill(st.postgres.pid!, 'SIGKILL');
    const after = await stackUp({ root, log });
    expect(after).toEqual(first);
    expect(await pgSelect(after.databaseUrl)).toBe(42);
    expect(await redisPing(after.redisPort)).toMatch(/^\+PONG/);
  });

  it('down stops both, keeps the data, and a second down is harmless', async () => {
    await stackDown({ root });
    await expect(pgSelect(first.databaseUrl)).rejects.toThrow();
    expect(await redisPing(first.redisPort)).toBeNull();
    const st = await stackStatus(root);
    expect(st.postgres.running).toBe(false);
    expect(st.redis.running).toBe(false);
    expect(fs.existsSync(path.join(root, '.barrage', 'postgres', 'PG_VERSION'))).toBe(true);
    await stackDown({ root });
  });

  it('comes back up with the same data and ports', async () => {
    const again = await stackUp({ root, log });
    expect(again).toEqual(first);
    expect(await pgSelect(again.databaseUrl)).toBe(42);
    await stackDown({ root });
  });

  it('stackDown on a root that never had a stack does nothing', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'barrage-empty-'));
    try {
      await stackDown({ root: empty });
      expect(readStackEnv(empty)).toBeNull();
      const st = await stackStatus(empty);
      expect(st.postgres.running || st.redis.running).toBe(false);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
