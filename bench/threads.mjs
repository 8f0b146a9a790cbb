// `barrage factory --threads` (issue 15, docs/architecture.md#threads): the closed-model figure
// through the real path with one worker thread per chunk against two, beside autocannon with
// one and two workers, alternated round by round in one run.
//
//   node bench/threads.mjs [--rounds=3] [--duration=8] [--target=nginx|node] [--minions=100]
//
// Two factories (zones bench-t1-*, bench-t2-*, THREADS=1 and THREADS=2) register with one
// head; per round, in rotated order: a campaign of one looping GET with a status check,
// `--minions` minions, IMMEDIATELY, timeoutMs = duration, to each factory (figure: the
// report's avgRps), then autocannon -c minions with 1 and with 2 workers (requests / duration).
// Nothing is pinned: every generator may use both cores, and shares them with the target (one
// nginx worker), the head, Redis and Postgres, so 2 threads cannot give 2×: the figure says
// how much of a second core the factory turns into load where the target leaves it some.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureStack, hasNginx, median, parseArgs, procCpuMs, runChild, sleep, startTarget } from './lib.mjs';
import { runCampaign, saveScenario, startFactory, startHead, stop } from './cluster.mjs';

const argv = parseArgs();
const ROUNDS = Number(argv.rounds ?? 3);
const DURATION_S = Number(argv.duration ?? 8);
const MINIONS = Number(argv.minions ?? 100);
const TARGET_KIND = argv.target ?? (hasNginx() ? 'nginx' : 'node');
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');

const k = (n) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)}k` : '-');
const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : '-');

async function main() {
  const stack = await ensureStack();
  console.log(`threads bench ${new Date().toISOString()}  node ${process.version}  target ${TARGET_KIND} (1 worker)  ${MINIONS} minions/connections, ${DURATION_S} s runs, ${ROUNDS} rounds, nothing pinned`);
  console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const tag = Date.now().toString(36);
  const target = await startTarget(TARGET_KIND);
  let head = null;
  const factories = {};
  const results = { 'barrage 1 thread': [], 'barrage 2 threads': [], 'autocannon 1 worker': [], 'autocannon 2 workers': [] };
  try {
    head = await startHead(stack, { core: null, name: `head-${tag}` });
    for (const n of [1, 2]) factories[n] = await startFactory(head, stack, { zone: `bench-t${n}-${tag}`, id: `bench-t${n}-${tag}-f0`, env: { THREADS: String(n) } });
    const scenario = `bench-threads-${tag}`;
    await saveScenario(head, { name: scenario, loop: true, steps: [{ name: 'get', method: 'GET', url: target.url, checks: [{ status: [200] }] }] });
    const barrage = (n) => async () => {
      const cpu0 = procCpuMs(factories[n].pid);
      const { key, report, campaign } = await runCampaign(head, {
        name: `threads ${n} ${tag}`,
        startOffsetMs: 1000,
        timeoutMs: DURATION_S * 1000,
        scenarios: { [scenario]: { minionsCount: MINIONS, zones: { [`bench-t${n}-${tag}`]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } },
      });
      if (campaign.status !== 'completed') throw new Error(`campaign ${key} ended ${campaign.status}`);
      return { rps: report.summary.avgRps, failures: report.summary.failures, cores: (procCpuMs(factories[n].pid) - cpu0) / (DURATION_S * 1000 + 3000) };
    };
    const autocannon = (workers) => async () => {
      const args = [AUTOCANNON, '-c', String(MINIONS), '-d', String(DURATION_S), '-j', ...(workers > 1 ? ['-w', String(workers)] : []), target.url];
      const r = await runChild(process.execPath, args, { timeoutMs: (DURATION_S + 30) * 1000 });
      if (r.code !== 0) throw new Error(`autocannon exited ${r.code}: ${r.stderr.slice(-1000)}`);
      const j = JSON.parse(r.stdout);
      return { rps: j.requests.total / j.duration, failures: j.errors + j.non2xx, cores: null };
    };
    const tools = [['barrage 1 thread', barrage(1)], ['barrage 2 threads', barrage(2)], ['autocannon 1 worker', autocannon(1)], ['autocannon 2 workers', autocannon(2)]];
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < tools.length; i++) {
        const [name, fn] = tools[(i + round) % tools.length];
        const r = await fn();
        results[name].push(r);
        console.log(`  round ${round + 1}  ${name.padEnd(21)} ${k(r.rps).padStart(7)}/s  failures ${r.failures}${r.cores === null ? '' : `  factory CPU ${f2(r.cores)} cores`}`);
        await sleep(1000);
      }
    }
  } finally {
    for (const f of Object.values(factories)) await stop(f);
    await stop(head?.process);
    await target.stop();
  }
  const pair = (a, b) => results[a].map((r, i) => r.rps / results[b][i].rps);
  console.log(`\n=== factory threads, closed model (${new Date().toISOString().slice(0, 10)}, ${TARGET_KIND}, ${MINIONS} minions, ${DURATION_S} s runs, 2 cores shared by all) ===`);
  for (const [n, rs] of Object.entries(results)) console.log(`  ${n.padEnd(21)} median ${k(median(rs.map((r) => r.rps))).padStart(7)}/s   runs ${rs.map((r) => k(r.rps)).join(' ')}`);
  console.log(`  barrage 2 threads / 1 thread        = ${f2(median(pair('barrage 2 threads', 'barrage 1 thread')))} (pairs ${pair('barrage 2 threads', 'barrage 1 thread').map(f2).join(', ')})`);
  console.log(`  autocannon 2 workers / 1 worker     = ${f2(median(pair('autocannon 2 workers', 'autocannon 1 worker')))}`);
  console.log(`  barrage 2 threads / autocannon 2 w. = ${f2(median(pair('barrage 2 threads', 'autocannon 2 workers')))}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`threads bench failed: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
