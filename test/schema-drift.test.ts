/**
 * The migrations and schema.prisma agree, and the head's migrator applies them as Prisma
 * would. Needs DATABASE_URL: a Postgres on which this test may create and drop databases
 * (`npm test` provides it; by hand: DATABASE_URL=… node_modules/.bin/jest --selectProjects e2e test/schema-drift).
 *
 * If this fails after an edit of prisma/schema.prisma: write the migration with
 *   node scripts/migration.mjs new <what_changed>
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../apps/head/src/database/migrator.js';

jest.setTimeout(120_000);

const root = join(__dirname, '..');
const migrationsDir = join(root, 'prisma', 'migrations');
const schemaPath = join(root, 'prisma', 'schema.prisma');
const script = join(root, 'scripts', 'migration.mjs');
const headRequire = createRequire(join(root, 'apps', 'head', 'package.json'));
const { Client } = headRequire('pg') as typeof import('pg');

function serverUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const env = join(root, '.barrage', 'stack.env');
  const m = existsSync(env) ? /^DATABASE_URL=(.+)$/m.exec(readFileSync(env, 'utf8')) : null;
  if (m) return m[1].trim();
  throw new Error('DATABASE_URL must name a Postgres on which this test may create databases (npm test starts one)');
}

function wasmEngineInstalled(): boolean {
  if (process.env.BARRAGE_SCHEMA_ENGINE_WASM_DIR) return true;
  try {
    headRequire.resolve('@prisma/schema-engine-wasm');
    return true;
  } catch {
    return false;
  }
}

const localMigrations = readdirSync(migrationsDir)
  .filter((d) => existsSync(join(migrationsDir, d, 'migration.sql')))
  .sort();

async function sql<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

const scratch: string[] = [];
async function scratchDb(): Promise<string> {
  const name = `barrage_test_${randomBytes(6).toString('hex')}`;
  await sql(serverUrl(), `CREATE DATABASE "${name}"`);
  scratch.push(name);
  const u = new URL(serverUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

afterAll(async () => {
  for (const name of scratch) await sql(serverUrl(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
});

function runScript(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, ...args], { cwd: root, env: { ...process.env, DATABASE_URL: serverUrl() } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}
const history = (url: string) => sql<Row>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name, started_at');

describe('schema drift: prisma/migrations ↔ prisma/schema.prisma', () => {
  let migrated: string;

  beforeAll(async () => {
    migrated = await scratchDb();
    await migrate(migrated, migrationsDir);
  });

  it('prisma/migrations holds migrations named <14-digit timestamp>_<name>', () => {
    expect(localMigrations.length).toBeGreaterThan(0);
    expect(localMigrations[0]).toMatch(/^\d{14}_\w+$/);
  });

  it("Prisma's schema engine (wasm, a devDependency of apps/head) is installed", () => {
    expect(wasmEngineInstalled()).toBe(true);
  });

  it('the database migrate() built is exactly what schema.prisma declares', async () => {
    const r = await runScript(['diff', '--exit-code', '--from-url', migrated]);
    // Non-empty stdout is the SQL of the missing migration.
    expect({ code: r.code, sql: r.stdout, stderr: r.stderr }).toEqual({ code: 0, sql: '', stderr: '' });
  });

  it('the migrations, applied to a shadow database, are exactly what schema.prisma declares', async () => {
    const r = await runScript(['diff', '--exit-code']);
    expect({ code: r.code, sql: r.stdout, stderr: r.stderr }).toEqual({ code: 0, sql: '', stderr: '' });
  });

  it('catches an edit of schema.prisma that has no migration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'barrage-drift-'));
    try {
      const edited = readFileSync(schemaPath, 'utf8').replace(/^(model Campaign \{\n)/m, '$1  driftProbe String? @map("drift_probe")\n');
      expect(edited).toContain('driftProbe');
      writeFileSync(join(dir, 'schema.prisma'), edited);
      for (const from of [['--from-url', migrated], []]) {
        const r = await runScript(['diff', '--exit-code', ...from, '--schema', join(dir, 'schema.prisma')]);
        expect(r.code).toBe(2);
        expect(r.stdout).toContain('ALTER TABLE "campaigns" ADD COLUMN     "drift_probe" TEXT;');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migrator', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'barrage-migrations-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it("applies every migration once, recorded as Prisma records it, and nothing the second time", async () => {
    const url = await scratchDb();
    const logs: string[] = [];
    const first = await migrate(url, migrationsDir, (m) => logs.push(m));
    expect(first.applied).toEqual(localMigrations);
    expect(logs).toEqual(localMigrations.map((m) => `applying migration ${m}`));
    const rows = await history(url);
    expect(rows.map((r) => r.migration_name)).toEqual(localMigrations);
    for (const r of rows) {
      const text = readFileSync(join(migrationsDir, r.migration_name, 'migration.sql'), 'utf8');
      expect(r.checksum).toBe(createHash('sha256').update(text).digest('hex'));
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
      expect(r.logs).toBeNull();
    }
    const columns = await sql<{ column_name: string; data_type: string; is_nullable: string; character_maximum_length: number | null }>(
      url,
      `SELECT column_name, data_type, is_nullable, character_maximum_length FROM information_schema.columns
        WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => [c.column_name, c.data_type, c.is_nullable, c.character_maximum_length])).toEqual([
      ['id', 'character varying', 'NO', 36],
      ['checksum', 'character varying', 'NO', 64],
      ['finished_at', 'timestamp with time zone', 'YES', null],
      ['migration_name', 'character varying', 'NO', 255],
      ['logs', 'text', 'YES', null],
      ['rolled_back_at', 'timestamp with time zone', 'YES', null],
      ['started_at', 'timestamp with time zone', 'NO', null],
      ['applied_steps_count', 'integer', 'NO', null],
    ]);

    expect(await migrate(url, migrationsDir)).toEqual({ applied: [] });
    expect(await history(url)).toHaveLength(localMigrations.length);
  });

  it('concurrent migrate() calls on a fresh database all succeed and apply each migration once', async () => {
    const url = await scratchDb();
    const results = await Promise.all([1, 2, 3, 4].map(() => migrate(url, migrationsDir)));
    expect(results.flatMap((r) => r.applied).sort()).toEqual(localMigrations);
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
    const rows = await history(url);
    expect(rows.map((r) => r.migration_name)).toEqual(localMigrations);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it('applies only the new migrations, each file as one query ($$ bodies and all)', async () => {
    const url = await scratchDb();
    cpSync(migrationsDir, tmp, { recursive: true });
    await migrate(url, tmp);
    const name = '29991231000000_function';
    mkdirSync(join(tmp, name));
    writeFileSync(
      join(tmp, name, 'migration.sql'),
      `CREATE FUNCTION barrage_answer() RETURNS integer AS $$ SELECT 40; SELECT 42; $$ LANGUAGE sql;\nCREATE TABLE "after_function" ("n" INTEGER NOT NULL DEFAULT barrage_answer());\n`,
    );
    expect(await migrate(url, tmp)).toEqual({ applied: [name] });
    expect(await sql(url, 'SELECT barrage_answer() AS n')).toEqual([{ n: 42 }]);
  });

  it('a failing migration leaves nothing behind, is named, logged, and blocks later runs', async () => {
    const url = await scratchDb();
    cpSync(migrationsDir, tmp, { recursive: true });
    const name = '29991231000000_broken';
    mkdirSync(join(tmp, name));
    writeFileSync(join(tmp, name, 'migration.sql'), 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT 1 / 0;\n');
    await expect(migrate(url, tmp)).rejects.toThrow(new RegExp(`Migration ${name} failed to apply: division by zero`));
    const rows = await history(url);
    expect(rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name)).toEqual(localMigrations);
    const broken = rows.find((r) => r.migration_name === name)!;
    expect(broken.finished_at).toBeNull();
    expect(broken.logs).toContain('division by zero');
    expect(await sql(url, `SELECT to_regclass('public.half_done') AS t`)).toEqual([{ t: null }]);
    await expect(migrate(url, tmp)).rejects.toThrow(new RegExp(`migration ${name} failed earlier`));

    // Marked rolled back (as `prisma migrate resolve --rolled-back` does) and fixed: it runs again.
    await sql(url, `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, [name]);
    writeFileSync(join(tmp, name, 'migration.sql'), 'CREATE TABLE "half_done" ("id" INTEGER);\n');
    expect(await migrate(url, tmp)).toEqual({ applied: [name] });
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    const url = await scratchDb();
    cpSync(migrationsDir, tmp, { recursive: true });
    await migrate(url, tmp);
    const first = localMigrations[0];
    const file = join(tmp, first, 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n-- edited\n');
    await expect(migrate(url, tmp)).rejects.toThrow(new RegExp(`migration ${first} was modified after it was applied`));
    // Line endings alone do not count as an edit (git on Windows).
    writeFileSync(file, readFileSync(join(migrationsDir, first, 'migration.sql'), 'utf8').replace(/\n/g, '\r\n'));
    expect(await migrate(url, tmp)).toEqual({ applied: [] });
  });
});
