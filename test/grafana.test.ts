/** The provisioned Grafana dashboard's SQL runs against the real, migrated schema. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { migrate } from '../apps/head/src/database/migrator';
import { requireEnv } from './support/cluster';

const root = join(__dirname, '..');
const { Client } = createRequire(join(root, 'apps', 'head', 'package.json'))('pg') as typeof import('pg');
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/dashboards/campaign.json'), 'utf8'));

/** Grafana's macros and variables, expanded as Grafana would for a one-hour range. */
const expand = (sql: string) =>
  sql.replaceAll('$__timeFilter(bucket_start)', "bucket_start BETWEEN now() - interval '1 hour' AND now()").replaceAll('$campaign', 'no-such-campaign');

it('every panel query and the campaign variable query are valid SQL on the schema', async () => {
  const { DATABASE_URL } = requireEnv();
  await migrate(DATABASE_URL, join(root, 'prisma/migrations'));
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const queries: string[] = [dashboard.templating.list[0].query, ...dashboard.panels.flatMap((p: { targets: { rawSql: string }[] }) => p.targets.map((t) => t.rawSql))];
    expect(queries.length).toBeGreaterThanOrEqual(7);
    for (const q of queries) await expect(client.query(expand(q))).resolves.toBeDefined();
  } finally {
    await client.end();
  }
});
