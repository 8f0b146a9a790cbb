import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { appEnv, repoRoot } from './env.js';
import { freePort, spawnBarrage, stopChild, waitFor } from './processes.js';
import { stackSettings, stackUp } from './stack/index.js';
import { startTarget } from './target.js';

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

/** The demo's own admin key, made once the head has migrated the database. */
let demoKey = '';

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const auth = { authorization: `Bearer ${demoKey}` };
  const res = await fetch(base + path, { method, headers: body ? { 'content-type': 'application/json', ...auth } : auth, body: body ? JSON.stringify(body) : undefined });
  const json = (await res.json().catch(() => null)) as T;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/**
 * `barrage demo`: a whole local cluster and one campaign, shown as it runs. The head and the
 * factory are separate processes, as in production; their logs go to .barrage/logs/.
 */
export async function runDemo(opts: { exitWhenDone: boolean }): Promise<void> {
  const logs = join(repoRoot, '.barrage', 'logs');
  console.log(bold('barrage demo') + dim(' — local Redis + Postgres, one head, one factory, a counting target'));
  const stack = await stackUp({ root: repoRoot, log: (m) => console.log(dim(`  ${m}`)), settings: stackSettings(process.env) });
  console.log(`  stack   postgres ${stack.databaseUrl}  redis ${stack.redisUrl}`);
  const port = await freePort(8400);
  const env = appEnv(process.env, { PORT: String(port), DATABASE_URL: stack.databaseUrl, REDIS_URL: stack.redisUrl });
  const children: ChildProcess[] = [];
  const target = await startTarget();
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    console.log(dim('\nstopping head, factory and target (the stack stays up: `npm run barrage -- stack down` stops it)'));
    await Promise.all(children.map((c) => stopChild(c)));
    await target.close();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(0)));

  const base = `http://127.0.0.1:${port}`;
  children.push(spawnBarrage(['head'], env, join(logs, 'head.log')));
  await waitFor('the head to answer /health', async () => (await fetch(`${base}/health`)).status < 500, 60_000);
  console.log(`  head    ${base}  ${dim(`(logs: .barrage/logs/head.log)`)}`);
  // API keys are on by default (docs/security.md): the demo makes its own, as an operator would.
  const { createApiKey } = await import('@barrage/head');
  demoKey = (await createApiKey(env, { name: 'demo', scope: 'admin', expiresIn: '1d' })).key;
  console.log(`  key     ${demoKey}  ${dim('(an admin API key for a day; `barrage keys create` makes more)')}`);
  children.push(spawnBarrage(['factory', '--zone', 'local', '--capacity', '100'], env, join(logs, 'factory.log')));
  await waitFor('the factory to register', async () => (await api<unknown[]>(base, 'GET', '/factories')).length > 0, 60_000);
  console.log(`  factory zone "local"  ${dim('(logs: .barrage/logs/factory.log)')}`);
  console.log(`  target  ${target.url}`);

  await api(base, 'POST', '/scenarios', {
    name: 'demo-browse',
    description: 'home page, then an API call',
    variables: { baseUrl: target.url },
    loop: true,
    steps: [
      { name: 'home', method: 'GET', url: '{{baseUrl}}/', checks: [{ status: [200] }], thinkTimeMs: { min: 50, max: 150 } },
      { name: 'api', method: 'POST', url: '{{baseUrl}}/api/items', body: { json: { minion: '{{$minionId}}' } }, checks: [{ status: [200, 201] }], thinkTimeMs: 100 },
    ],
  });
  const campaignBody = {
    name: 'Demo ramp',
    startOffsetMs: 500,
    scenarios: {
      'demo-browse': {
        minionsCount: 1,
        executionProfile: {
          profile: 'STAGE',
          stages: [
            { minionsCount: 20, rampUpDurationMs: 3000, totalDurationMs: 5000, resolutionMs: 500 },
            { minionsCount: 30, rampUpDurationMs: 3000, totalDurationMs: 5000, resolutionMs: 500 },
          ],
          completion: 'GRACEFUL',
        },
      },
    },
    // k6-style pass/fail: the campaign's result is `failed` if one is breached.
    thresholds: { 'demo-browse': ['p95 < 500', 'errorRate < 0.01'] },
  };
  const created = await api<{ key: string }>(base, 'POST', '/campaigns', campaignBody);
  console.log(`\n${bold('campaign')} ${created.key}: 2 stages, 20 then 50 minions, 10 s  ${dim(`(POST ${base}/campaigns)`)}`);
  console.log(dim('  time   status              minions  requests  failures    rps    p95 ms'));

  const t0 = Date.now();
  let final: { status: string } | null = null;
  while (!final) {
    await new Promise((r) => setTimeout(r, 1000));
    const c = await api<{ status: string; totals: { requests: number; failures: number; minionsActive: number } }>(base, 'GET', `/campaigns/${created.key}`);
    const rows = await api<{ rps: number; p95: number }[]>(base, 'GET', `/campaigns/${created.key}/intervals`);
    const last = rows.at(-2) ?? rows.at(-1);
    console.log(
      `  ${String(Math.round((Date.now() - t0) / 1000)).padStart(3)}s   ${c.status.padEnd(18)} ${String(c.totals.minionsActive).padStart(7)}  ${String(c.totals.requests).padStart(8)}  ${String(c.totals.failures).padStart(8)}  ${(last ? last.rps.toFixed(0) : '-').padStart(5)}  ${(last ? last.p95.toFixed(2) : '-').padStart(8)}`,
    );
    if (['completed', 'failed', 'aborted'].includes(c.status)) final = c;
    if (Date.now() - t0 > 120_000) throw new Error('the demo campaign did not finish within 2 minutes; see .barrage/logs/');
  }
  const report = await api<{
    metadata: { result: string; failureReason: string | null };
    thresholds: { expression: string; observed: number | null; passed: boolean }[];
    summary: { requests: number; failures: number; avgRps: number; peakMinions: number; durationSeconds: number };
    latency: Record<string, number>;
  }>(base, 'GET', `/campaigns/${created.key}/report`);
  const s = report.summary;
  const l = report.latency;
  console.log(`\n${bold('report')} ${base}/campaigns/${created.key}/report  ${dim('(with the key)')}`);
  console.log(`  result     ${report.metadata.result}${report.metadata.failureReason ? ` (${report.metadata.failureReason})` : ''}`);
  console.log(`  requests   ${s.requests} (${s.failures} failed) in ${s.durationSeconds.toFixed(1)} s, ${s.avgRps.toFixed(1)} req/s, peak ${s.peakMinions} minions`);
  console.log(`  latency    p50 ${l.p50!.toFixed(2)} ms  p95 ${l.p95!.toFixed(2)} ms  p99 ${l.p99!.toFixed(2)} ms  max ${l.max!.toFixed(2)} ms`);
  for (const t of report.thresholds) console.log(`  threshold  ${t.passed ? 'passed' : 'FAILED'}  ${t.expression} (observed ${t.observed === null ? 'nothing' : +t.observed.toFixed(3)})`);
  const match = target.stats.total === s.requests;
  console.log(`  target     received ${target.stats.total} requests: ${match ? 'the same number as the report' : `the report says ${s.requests}: MISMATCH`}`);

  console.log(`\n${bold('report page')} ${base}/campaigns/${created.key}/report.html?access_token=${demoKey}  ${dim('(open it in a browser: charts, thresholds, errors)')}`);
  console.log(`${bold('web page')}    ${base}/  ${dim('(paste the key into its key field)')}`);

  if (opts.exitWhenDone) {
    await stopAll();
    return;
  }
  console.log(
    `\nThe cluster keeps running. Try:\n  export BARRAGE_KEY=${demoKey}\n  curl -N -H "authorization: Bearer $BARRAGE_KEY" ${base}/campaigns/${created.key}/live   ${dim('# the live stream, replayed from the start')}\n  curl -H "authorization: Bearer $BARRAGE_KEY" ${base}/campaigns/${created.key}/steps\n  curl -H "authorization: Bearer $BARRAGE_KEY" ${base}/campaigns/${created.key}/errors\n  curl -H "authorization: Bearer $BARRAGE_KEY" ${base}/factories\n  npm run barrage -- ls --head ${base}   ${dim('# the CLI reads BARRAGE_KEY')}\nPress Ctrl-C to stop.`,
  );
}
