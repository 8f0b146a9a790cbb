// Applies prisma/migrations/<name>/migration.sql at head start, the way `prisma migrate
// deploy` does, without Prisma's native schema engine (it cannot be downloaded everywhere).
// The bookkeeping table is Prisma's own `_prisma_migrations`, filled the same way, so a
// real `prisma migrate deploy|status` sees the same history.
//
// Several heads may start at once: a Postgres advisory lock (the key Prisma's engine uses)
// makes them take turns; the first applies, the others find nothing left to do.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

/** The advisory lock key of Prisma's schema engine: heads and a native `prisma migrate` exclude each other. */
export const MIGRATION_LOCK_KEY = 72707369;

/** Prisma's DDL for the bookkeeping table (Postgres flavour). */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface LocalMigration {
  name: string;
  /** The exact text of migration.sql. */
  script: string;
  checksum: string;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
}

/** sha256 hex of the exact script, as Prisma stores it. */
export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/** Like Prisma, a checksum also matches the same script with the other kind of line endings (git on Windows). */
function checksumMatches(script: string, checksum: string): boolean {
  const lf = script.replace(/\r\n/g, '\n');
  return [script, lf, lf.replace(/\n/g, '\r\n')].some((s) => migrationChecksum(s) === checksum);
}

/** The migration directories that hold a migration.sql, in name order. */
export async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  if (!existsSync(migrationsDir)) throw new Error(`migrations directory not found: ${migrationsDir}`);
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && existsSync(join(migrationsDir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: LocalMigration[] = [];
  for (const name of names) {
    const script = await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8');
    out.push({ name, script, checksum: migrationChecksum(script) });
  }
  return out;
}

/**
 * Applies the migrations of `migrationsDir` that the database has not finished yet, in name
 * order, each as one query (Postgres runs a multi-statement query in one implicit
 * transaction: a failing migration leaves no half-applied schema behind). Throws, naming
 * the migration, when one fails, when one failed earlier and was not marked rolled back,
 * or when an applied migration's file was edited afterwards.
 */
export async function migrate(
  databaseUrl: string,
  migrationsDir: string,
  log: (m: string) => void = () => {},
): Promise<{ applied: string[] }> {
  const local = await readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'barrage-migrator' });
  await client.connect();
  // A session that errors is unusable; keep its error from crashing the process meanwhile.
  client.on('error', () => {});
  const applied: string[] = [];
  try {
    const { rows: got } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY]);
    if (!got[0].locked) {
      log('waiting for another migrator (a head starting at the same time) to finish');
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    }
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<MigrationRow>(
        `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at
           FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
      );
      const live = rows.filter((r) => r.rolled_back_at === null);
      const known = new Set(local.map((m) => m.name));
      for (const r of live) {
        if (!known.has(r.migration_name)) log(`migration ${r.migration_name} is in the database but not in ${migrationsDir}`);
      }
      for (const m of local) {
        const rowsOf = live.filter((r) => r.migration_name === m.name);
        const done = rowsOf.find((r) => r.finished_at !== null);
        if (done) {
          if (!checksumMatches(m.script, done.checksum)) {
            throw new Error(
              `migration ${m.name} was modified after it was applied (checksum ${done.checksum} in the database, ` +
                `${m.checksum} on disk). Never edit an applied migration: restore its file and add a new migration instead.`,
            );
          }
          continue;
        }
        const failed = rowsOf.find((r) => r.finished_at === null);
        if (failed) {
          throw new Error(
            `migration ${m.name} failed earlier and was not rolled back${failed.logs ? `:\n${failed.logs}\n` : '. '}` +
              `Fix the database by hand, then mark it: UPDATE "_prisma_migrations" SET rolled_back_at = now() ` +
              `WHERE id = '${failed.id}' (to run it again) or SET finished_at = now(), applied_steps_count = 1 (if it was applied).`,
          );
        }
        const id = randomUUID();
        log(`applying migration ${m.name}`);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), 0)`,
          [id, m.checksum, m.name],
        );
        try {
          await client.query(m.script);
        } catch (e) {
          const err = e as Error & { position?: string; detail?: string; hint?: string; code?: string };
          const logs = [
            `Migration ${m.name} failed to apply: ${err.message}`,
            err.code ? `SQLSTATE ${err.code}` : '',
            err.detail ? `DETAIL: ${err.detail}` : '',
            err.hint ? `HINT: ${err.hint}` : '',
            err.position ? `at character ${err.position} of migration.sql` : '',
          ]
            .filter(Boolean)
            .join('\n');
          // An explicit transaction left open by the script would swallow the next statements.
          await client.query('ROLLBACK').catch(() => undefined);
          await client.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, logs]).catch(() => undefined);
          throw new Error(logs, { cause: e });
        }
        await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
        applied.push(m.name);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  if (applied.length === 0) log('database schema is up to date');
  return { applied };
}
