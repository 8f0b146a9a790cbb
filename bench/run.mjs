// Barrage's load engine against wrk and autocannon on this machine (npm run bench).
//
//   node bench/run.mjs [--rounds=3] [--duration=8] [--target=nginx|node] [--no-open] [--no-closed] [--no-sync]
//                      [--rate=20000,30000,40000] [--open-duration=30] [--node-flags=--flag,...]
//
// The target (nginx, one worker; or a node:http server when nginx is missing) runs on core 1,
// every generator on core 0, each in its own process. Closed loop: wrk -t1 -c50, autocannon
// -c 50 and a ChunkRunner with 50 replaying minions, in the same run, the order rotated each
// round, medians reported. Open model: a CONSTANT_RATE chunk at each --rate (20,000, 30,000 and
// 40,000/s, --open-duration s each, 30 by default), read back from the snapshots it pushed to
// the Redis stream. See bench/README.md.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  BENCH,
  busyMs,
  busyShare,
  canPin,
  coreTimes,
  flagList,
  ROOT,
  hasNginx,
  importDist,
  importFactoryDep,
  median,
  parseArgs,
  pinned,
  procCpuMs,
  runChild,
  sleep,
  stackRedisUrl,
  stackUp as stackUpCli,
  prepareBase,
  startTarget,
  waitQuiet as waitQuietFor,
  watchProcess,
} from './lib.mjs';

const argv = parseArgs();
const ROUNDS = Number(argv.rounds ?? 3);
const DURATION_S = Number(argv.duration ?? 8);
if (!(DURATION_S > 0 && DURATION_S <= 10)) throw new Error('--duration must be in (0, 10] seconds');
const CONNECTIONS = 50;
const OPEN_RATES = String(argv.rate ?? '20000,30000,40000').split(',').map(Number);
if (!OPEN_RATES.every((r) => r > 0)) throw new Error('--rate is a comma list of rates per second');
const OPEN_DURATION_S = Number(argv['open-duration'] ?? 30);
if (!(OPEN_DURATION_S > 0 && OPEN_DURATION_S <= 120)) throw new Error('--open-duration must be in (0, 120] seconds');
const OPEN_MAX_IN_FLIGHT = 1000;
// --open-rounds=N: each rate N times (alternating with --base's build when given): first-second drops vary from run to run
const OPEN_ROUNDS = Number(argv['open-rounds'] ?? 1);
if (!(Number.isInteger(OPEN_ROUNDS) && OPEN_ROUNDS >= 1 && OPEN_ROUNDS <= 20)) throw new Error('--open-rounds must be an integer in [1, 20]');
// --node-flags=--a,--b: node/V8 flags for the Barrage child (e.g. --single-threaded-gc), to measure one's effect
const CHILD_FLAGS = flagList(argv['node-flags']);
/** The factory's HEAP_GROWTH_PERCENT for the engine's process (0: V8's own); the factory's default unless given. */
const HEAP_GROWTH = argv['heap-growth'] === undefined ? undefined : Number(argv['heap-growth']);
const TARGET_KIND = argv.target ?? (hasNginx() ? 'nginx' : 'node');
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
const RUN_ID = `bench-${process.pid}-${Date.now().toString(36)}`;

const DISTURBED = 0.2;
const QUIET_WAIT_MS = Number(argv['quiet-wait'] ?? 30) * 1000;

/** Waits (up to --quiet-wait seconds, 30 by default) until the machine is idle (lib.mjs). */
const waitQuiet = () => waitQuietFor(QUIET_WAIT_MS);

/**
 * Runs one generator process pinned to core 0 and measures around it: requests and connections
 * counted by the target, busy share of each core, and the CPU of everything that is neither
 * the target, the generator nor this script ("other load", in cores: other sessions, Redis...).
 */
async function measured(target, cmd, args, timeoutMs, env, durationS = DURATION_S) {
  const [c, a] = pinned(0, cmd, args);
  await waitQuiet();
  const count0 = await target.count();
  const targetPids = target.pids();
  const targetCpu0 = targetPids.reduce((n, p) => n + procCpuMs(p), 0);
  const self0 = process.cpuUsage();
  const cores0 = coreTimes();
  const t0 = performance.now();
  let stopWatch = () => ({ peak: 0, cpuMs: 0 });
  const r = await runChild(c, a, { timeoutMs, env, onSpawn: (child) => (stopWatch = watchProcess(child.pid)) });
  const wallMs = performance.now() - t0;
  const gen = stopWatch();
  const cores1 = coreTimes();
  const self = process.cpuUsage(self0);
  const targetCpuMs = targetPids.reduce((n, p) => n + procCpuMs(p), 0) - targetCpu0;
  const count1 = await target.count();
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.slice(-2000)}`);
  const otherMs = busyMs(cores0, cores1) - targetCpuMs - gen.cpuMs - (self.user + self.system) / 1000;
  return {
    r,
    peakRss: gen.peak,
    targetRequests: count1.requests - count0.requests,
    connections: count1.connections - count0.connections,
    core0: busyShare(cores0, cores1, '0'),
    core1: busyShare(cores0, cores1, '1'),
    // Shares of one core over the load's duration (the target only works while load runs).
    targetCpu: targetCpuMs / (durationS * 1000),
    genCpu: gen.cpuMs / (durationS * 1000),
    otherLoad: Math.max(0, otherMs / wallMs),
  };
}

// ---------- the three closed-loop generators ----------

function common(m, durationS) {
  const { targetRequests, r, ...rest } = m;
  return { ...rest, targetRps: targetRequests / durationS };
}

async function runWrk(target) {
  const m = await measured(target, 'wrk', ['-t1', `-c${CONNECTIONS}`, `-d${DURATION_S}s`, target.url], (DURATION_S + 5) * 1000);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(m.r.stdout)?.[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(m.r.stdout)?.[1] ?? 0;
  return { ...common(m, DURATION_S), rps, errors: Number(errors) };
}

async function runAutocannon(target) {
  const m = await measured(target, process.execPath, [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(DURATION_S), '-j', target.url], (DURATION_S + 8) * 1000);
  const j = JSON.parse(m.r.stdout);
  return { ...common(m, DURATION_S), rps: j.requests.total / j.duration, errors: j.errors + j.non2xx };
}

let redis;
let contracts;
let metrics;

/** Snapshots (and chunk events) of a campaign from the Redis stream, then deleted from it. */
async function readStream(campaignKey, sinceMs) {
  const entries = await redis.xrange(contracts.redisKeys.stream, `${Math.max(0, Math.floor(sinceMs))}-0`, '+');
  const mine = [];
  for (const [id, fields] of entries) {
    const data = fields[fields.indexOf('data') + 1];
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      continue;
    }
    if (msg.campaignKey === campaignKey) mine.push({ id, msg });
  }
  // Leave the shared stream as we found it.
  if (mine.length) await redis.xdel(contracts.redisKeys.stream, ...mine.map((e) => e.id));
  return mine.map((e) => e.msg).filter((m) => m.type === 'snapshot').sort((a, b) => a.seq - b.seq);
}

async function redisTimeMs() {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Number(us) / 1000;
}

/** `distRoot`: another build of Barrage to run instead of this one (--base). */
async function runBarrage(target, mode, extra = {}, distRoot = null) {
  const campaignKey = `${RUN_ID}-${mode}-${Math.random().toString(36).slice(2, 8)}`;
  const opts = { redisUrl: REDIS_URL, campaignKey, url: target.url, mode, minions: CONNECTIONS, durationMs: DURATION_S * 1000, leadMs: 800, heapGrowthPercent: HEAP_GROWTH, ...extra };
  const runS = opts.durationMs / 1000;
  const since = (await redisTimeMs()) - 1000;
  const env = distRoot ? { ...process.env, BARRAGE_BENCH_ROOT: distRoot } : undefined;
  const m = await measured(target, process.execPath, [...CHILD_FLAGS, join(BENCH, 'barrage-child.mjs'), JSON.stringify(opts)], (runS + 15) * 1000, env, runS);
  const res = JSON.parse(m.r.stdout.trim().split('\n').pop());
  const snapshots = await readStream(campaignKey, since);
  const durationS = opts.durationMs / 1000;
  const sum = (f) => snapshots.reduce((n, s) => n + f(s), 0);
  const max = (f) => snapshots.reduce((n, s) => Math.max(n, f(s)), 0);
  const latency = snapshots.length ? metrics.summarize(metrics.decodeMerged(snapshots.map((s) => s.steps[0].latency))) : null;
  const serviceTime = snapshots.length ? metrics.summarize(metrics.decodeMerged(snapshots.map((s) => s.steps[0].serviceTime))) : null;
  return {
    ...common(m, durationS),
    rps: res.outcome.iterations / durationS,
    // The runner's own CPU over its run window (start instant to the last response).
    genCpu: res.cpuMs / res.elapsedMs,
    snapshotRps: sum((s) => s.steps[0].requests) / durationS,
    peakRss: Math.max(res.maxRssBytes, m.peakRss),
    errors: sum((s) => s.steps[0].failures),
    outcome: res.outcome,
    elapsedMs: res.elapsedMs,
    cpuMs: res.cpuMs,
    snapshots: snapshots.length,
    started: sum((s) => s.minionsStarted),
    targetArrivals: sum((s) => s.targetArrivals),
    dropped: sum((s) => s.droppedIterations),
    maxLatenessMs: max((s) => s.maxLatenessMs),
    maxLagMs: max((s) => s.maxLagMs),
    maxCpu: max((s) => s.cpu),
    saturated: snapshots.filter((s) => s.saturated).map((s) => s.seq),
    perInterval: snapshots.map((s) => ({ seq: s.seq, started: s.minionsStarted, dropped: s.droppedIterations, active: s.minionsActive, late: s.maxLatenessMs, lag: s.maxLagMs, cpu: s.cpu, sat: s.saturated })),
    latency,
    serviceTime,
    // The first interval is the first second from the start instant (its bucket starts there).
    droppedFirst: snapshots[0]?.droppedIterations ?? 0,
    droppedAfterFirst: sum((s) => s.droppedIterations) - (snapshots[0]?.droppedIterations ?? 0),
    plannedFirst: snapshots[0]?.targetArrivals ?? 0,
    medianIntervalLatenessMs: median(snapshots.slice(1).map((s) => s.maxLatenessMs)),
  };
}

// ---------- formatting ----------

const k = (n) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)}k` : '-');
const pct = (n) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '-');
const mb = (n) => `${(n / 1048576).toFixed(0)} MB`;
const pad = (s, n) => String(s).padEnd(n);
const rpad = (s, n) => String(s).padStart(n);
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? pad(c, widths[i]) : rpad(c, widths[i]))).join('  ')).join('\n');
}

// ---------- main ----------

function stackUp() {
  stackUpCli();
  const url = stackRedisUrl();
  if (!url) throw new Error('no REDIS_URL after barrage stack up');
  return url;
}

/** A connected client on the stack's Redis; starts the stack when there is none or it is down. */
async function connectRedis(Redis) {
  const tryUrl = async (url) => {
    const r = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null, lazyConnect: true });
    r.on('error', () => undefined);
    try {
      await r.connect();
      await r.ping();
      return r;
    } catch {
      r.disconnect();
      return null;
    }
  };
  let url = stackRedisUrl();
  let client = url ? await tryUrl(url) : null;
  if (!client) {
    url = stackUp();
    client = await tryUrl(url);
    if (!client) throw new Error(`Redis at ${url} does not answer`);
  }
  REDIS_URL = url;
  return client;
}

let REDIS_URL = null;

async function main() {
  if (spawnSync('wrk', ['-v']).error) throw new Error('wrk is not installed');
  if (!existsSync(AUTOCANNON)) throw new Error('autocannon is not installed (pnpm install at the root)');
  const { Redis } = await importFactoryDep('ioredis');
  contracts = await importDist('libs/contracts/dist/index.js');
  metrics = await importDist('libs/metrics/dist/index.js');
  redis = await connectRedis(Redis);

  const node = process.version;
  const wrkVersion = (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout || '').split('\n')[0].split(' [')[0];
  const acVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/autocannon/package.json'), 'utf8')).version;
  console.log(`bench ${new Date().toISOString()}  node ${node}  ${wrkVersion}  autocannon ${acVersion}  target ${TARGET_KIND}  pinning ${canPin() ? 'target core 1, generator core 0' : 'OFF (no taskset or one core)'}`);
  console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);

  const target = await startTarget(TARGET_KIND);
  const baseRoot = argv.base ? prepareBase(String(argv.base)) : null;
  const results = { wrk: [], autocannon: [], barrage: [], 'barrage+checks': [], 'barrage@base': [] };
  const open = [];
  // The open model's builds, alternated round by round: this one, and --base's when given.
  const builds = baseRoot ? [['barrage', null], [`barrage@${argv.base}`, baseRoot]] : [['barrage', null]];
  try {
    // Warm the target (and the page cache of every binary) before the first measured run.
    await runChild('wrk', ['-t1', '-c10', '-d1s', target.url], { timeoutMs: 5000 });

    if (argv['no-closed'] !== 'true') {
      console.log(`\nclosed loop: ${CONNECTIONS} connections, GET ${target.url} (2-byte body), ${DURATION_S} s per run, ${ROUNDS} rounds, order rotated`);
      const tools = [
        ['wrk', () => runWrk(target)],
        ['autocannon', () => runAutocannon(target)],
        ['barrage', () => runBarrage(target, 'closed')],
      ];
      // The same closed loop with a status and a body check: what checks cost.
      if (argv.checks === 'true') tools.push(['barrage+checks', () => runBarrage(target, 'closed', { checks: true })]);
      // The same closed loop built from an older commit: no slower than before?
      if (baseRoot) tools.push(['barrage@base', () => runBarrage(target, 'closed', {}, baseRoot)]);
      for (let round = 0; round < ROUNDS; round++) {
        const order = tools.map((_, i) => tools[(i + round) % tools.length]);
        for (const [name, fn] of order) {
          const r = await fn();
          results[name].push(r);
          const more = name.startsWith('barrage') ? `  snapshots ${k(r.snapshotRps)}/s  peak RSS ${mb(r.peakRss)}  max loop lag ${r.maxLagMs.toFixed(1)} ms  saturated intervals [${r.saturated.join(',')}] of ${r.snapshots}` : `  peak RSS ${mb(r.peakRss)}`;
          console.log(
            `  round ${round + 1}  ${pad(name, 10)} ${rpad(k(r.rps), 7)}/s  target-side ${rpad(k(r.targetRps), 7)}/s  conns ${r.connections}  generator CPU ${pct(r.genCpu)}  target CPU ${pct(r.targetCpu)}  other load ${r.otherLoad.toFixed(2)} cores  errors ${r.errors}${more}`,
          );
          await sleep(500);
        }
      }
    }

    if (argv['no-open'] !== 'true') {
      console.log(`\nopen model: CONSTANT_RATE for ${OPEN_DURATION_S} s, maxInFlight ${OPEN_MAX_IN_FLIGHT}, generator on core 0`);
      for (const rate of OPEN_RATES) for (let round = 0; round < OPEN_ROUNDS; round++) for (const [build, root] of builds) {
        const r = await runBarrage(target, 'open', { rate, maxInFlight: OPEN_MAX_IN_FLIGHT, durationMs: OPEN_DURATION_S * 1000 }, root);
        r.rate = rate;
        r.build = build;
        open.push(r);
        console.log(
          `  ${build} ${rate}/s  connections opened ${r.connections}  generator CPU ${pct(r.genCpu)}  other load ${r.otherLoad.toFixed(2)} cores  planned ${r.targetArrivals}  started ${r.started} (${k(r.started / OPEN_DURATION_S)}/s)  dropped ${r.dropped} (1st s ${r.droppedFirst} of ${r.plannedFirst}, after it ${r.droppedAfterFirst})  completed ${r.outcome.iterations}` +
            `  max lateness ${r.maxLatenessMs.toFixed(1)} ms  max lag ${r.maxLagMs.toFixed(1)} ms  max cpu ${pct(r.maxCpu)}  saturated intervals [${r.saturated.join(',')}] of ${r.snapshots}` +
            `  latency from the intended start p50 ${r.latency?.p50.toFixed(2)} p99 ${r.latency?.p99.toFixed(2)} max ${r.latency?.max.toFixed(1)} ms  service time p50 ${r.serviceTime?.p50.toFixed(2)} p99 ${r.serviceTime?.p99.toFixed(2)} ms`,
        );
        console.log(
          `    per interval (seq: started/dropped, peak in flight, max lateness ms, cpu, saturated): ${r.perInterval
            .map((p) => `${p.seq}: ${p.started}/${p.dropped} ${p.active} ${p.late.toFixed(1)} ${pct(p.cpu)}${p.sat ? ' SAT' : ''}`)
            .join(' | ')}`,
        );
        await sleep(500);
      }
    }
  } finally {
    await target.stop();
    await redis.quit();
  }

  // ---------- the final table ----------
  console.log(`\n=== results (${new Date().toISOString().slice(0, 10)}, ${TARGET_KIND} on core 1, generator on core 0, ${DURATION_S} s runs) ===`);
  if (results.barrage.length) {
    const med = (name, f) => median(results[name].map(f));
    const rows = [['closed loop, 50 conns', 'median req/s', 'runs', 'target-side', 'generator CPU', 'target CPU', 'peak RSS']];
    for (const name of Object.keys(results).filter((n) => results[n].length)) {
      rows.push([
        name,
        k(med(name, (r) => r.rps)),
        results[name].map((r) => `${k(r.rps)}${r.otherLoad > DISTURBED ? '*' : ''}`).join(' '),
        k(med(name, (r) => r.targetRps)),
        pct(med(name, (r) => r.genCpu)),
        pct(med(name, (r) => r.targetCpu)),
        mb(med(name, (r) => r.peakRss)),
      ]);
    }
    console.log(table(rows));
    const disturbed = Object.values(results).flat().filter((r) => r.otherLoad > DISTURBED).length;
    if (disturbed) console.log(`* ${disturbed} run(s) shared the machine with other processes (> ${DISTURBED} cores of other load): their figures are low`);
    const b = median(results.barrage.map((r) => r.rps));
    console.log(`barrage / wrk        = ${(b / median(results.wrk.map((r) => r.rps))).toFixed(2)}`);
    console.log(`barrage / autocannon = ${(b / median(results.autocannon.map((r) => r.rps))).toFixed(2)}`);
    if (results['barrage+checks'].length) console.log(`barrage+checks / barrage = ${(median(results['barrage+checks'].map((r) => r.rps)) / b).toFixed(2)}`);
    if (results['barrage@base'].length) console.log(`barrage / barrage@${argv.base} = ${(b / median(results['barrage@base'].map((r) => r.rps))).toFixed(2)}`);
    console.log(`barrage peak RSS (closed loop): median ${mb(median(results.barrage.map((r) => r.peakRss)))}, max ${mb(Math.max(...results.barrage.map((r) => r.peakRss)))}`);
  }
  if (open.length) {
    const rows = [[`open model, ${OPEN_DURATION_S} s`, 'planned', 'achieved/s', 'achieved/target', 'dropped', 'dropped 1st s', 'after 1st s', 'max lateness', 'median interval max lateness', 'max loop lag', 'saturated', 'connections', 'p50', 'p99', 'other load']];
    for (const r of open) {
      rows.push([
        `${baseRoot ? `${r.build} ` : ''}CONSTANT_RATE ${r.rate}/s`,
        r.targetArrivals,
        `${(r.started / OPEN_DURATION_S).toFixed(0)}`,
        `${((100 * r.started) / OPEN_DURATION_S / r.rate).toFixed(2)}%`,
        `${r.dropped} (${((100 * r.dropped) / Math.max(1, r.targetArrivals)).toFixed(2)}%)`,
        `${r.droppedFirst} (${((100 * r.droppedFirst) / Math.max(1, r.plannedFirst)).toFixed(2)}%)`,
        `${r.droppedAfterFirst}`,
        `${r.maxLatenessMs.toFixed(1)} ms`,
        `${r.medianIntervalLatenessMs.toFixed(1)} ms`,
        `${r.maxLagMs.toFixed(1)} ms`,
        `${r.saturated.length}/${r.snapshots}`,
        r.connections,
        `${r.latency?.p50.toFixed(2)} ms`,
        `${r.latency?.p99.toFixed(2)} ms`,
        `${r.otherLoad.toFixed(2)}`,
      ]);
    }
    console.log(table(rows));
    // Over several rounds: in how many runs the first second dropped more than the 0.2 % allowed, and any after it.
    if (OPEN_ROUNDS > 1) {
      for (const [build] of builds) {
        for (const rate of OPEN_RATES) {
          const runs = open.filter((r) => r.build === build && r.rate === rate);
          const over = runs.filter((r) => r.droppedFirst > 0.002 * r.plannedFirst).length;
          const after = runs.filter((r) => r.droppedAfterFirst > 0).length;
          const firsts = runs.map((r) => `${((100 * r.droppedFirst) / Math.max(1, r.plannedFirst)).toFixed(2)}%`).join(' ');
          console.log(`${build} ${rate}/s: first second over 0.2 % in ${over} of ${runs.length} runs (${firsts}); drops after it in ${after}`);
        }
      }
    }
  }
}

/** The synchronised-start benchmark (bench/sync-start.mjs), after the others: --no-sync skips it. */
async function syncStart() {
  if (argv['no-sync'] !== undefined) return;
  console.log('\n# synchronised start (bench/sync-start.mjs)');
  const { code } = await runChild(process.execPath, [join(BENCH, 'sync-start.mjs')], { timeoutMs: 10 * 60_000, onSpawn: (c) => (c.stdout.pipe(process.stdout), c.stderr.pipe(process.stderr)) });
  if (code !== 0) throw new Error(`bench/sync-start.mjs exited with ${code}`);
}

main().then(syncStart).then(
  () => process.exit(0),
  (e) => {
    console.error(`bench failed: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
