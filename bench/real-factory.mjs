// Issue 15's closed-model target through the real path: a factory process as `barrage factory`
// runs it (BullMQ worker, heartbeat, control watcher, publisher all live) on core 0, taking a
// real campaign from a head, beside autocannon and a raw undici dispatch loop on the same core,
// alternated round by round.
//
//   node bench/real-factory.mjs [--rounds=3] [--duration=10] [--target=nginx|node] [--cpu-prof]
//                               [--quiet-wait=30] [--json=bench/results/real-factory.json] [--base=<ref>] [--perf]
//                               [--perf-record] [--alt-env=K=V,...] [--alt-flags=--flag,...]
//                               [--factory-flags=--flag,...] [--together=barrage,raw,...] [--perf-callers]
//
// Per round, in rotated order, each on core 0 with the target (nginx, one worker) on core 1:
//   - barrage: a campaign of one looping scenario (one GET with a status check), 50 minions,
//     IMMEDIATELY, timeoutMs = duration, to a factory of its own zone; figure = the report's
//     `avgRps` (requests / durationSeconds), beside requests / duration and the target's count;
//   - autocannon -c 50 -d duration: requests.total / duration;
//   - raw: bench/raw-undici.mjs, 50 Clients, dispatch + one HDR record per response.
// Then medians and the medians of the pairwise (same-round) ratios. The head is pinned to core 1
// (it only ingests one snapshot a second); Redis and Postgres float. --cpu-prof runs the
// factory with node --cpu-prof (written to bench/results/cpu-prof/ when it stops) and prints
// its top frames over the campaigns. --base=<ref> adds a second factory built from an older
// commit (its own zone, also on core 0, idle while the others run) to the rotation: the
// change's effect measured in the same run. --alt-env=K=V,... does the same for a second factory
// of this build with other settings (e.g. WARM_UP_REQUESTS=0), and --alt-flags=... with other node
// flags. --factory-flags=... adds node flags to the main factory (V8's traces go to its log). --perf (needs Linux `perf`) watches each generator
// over its steady state (from 3 s into the run to 1 s before its end) and prints what one
// request costs it: CPU µs (user and kernel), system calls, context switches and page faults, from the
// target's count over the same window. --perf-record also records each window (perf record,
// JIT frames named through node --perf-basic-prof) and prints its top symbols in µs per request
// (--perf-callers records call graphs too, for `perf report -G` on bench/results/perf/*.data).
// --together=... runs the named generators at the same time on core 0 instead (see TOGETHER).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH,
  ROOT,
  busyMs,
  canPin,
  coreTimes,
  ensureStack,
  envList,
  flagList,
  hasNginx,
  median,
  parseArgs,
  prepareBase,
  pinned,
  procCpuMs,
  procRss,
  procTimesMs,
  runChild,
  sleep,
  startTarget,
  waitQuiet,
  watchProcess,
} from './lib.mjs';
import { runCampaign, saveScenario, startFactory, startHead, stop } from './cluster.mjs';
import { formatTop, topFrames } from './profile-top.mjs';

const argv = parseArgs();
const ROUNDS = Number(argv.rounds ?? 3);
const DURATION_S = Number(argv.duration ?? 10);
const CONNECTIONS = 50;
const TARGET_KIND = argv.target ?? (hasNginx() ? 'nginx' : 'node');
const QUIET_WAIT_MS = Number(argv['quiet-wait'] ?? 30) * 1000;
const DISTURBED = 0.2;
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
const PERF_RECORD = argv['perf-record'] === 'true';
const PERF = argv.perf === 'true' || PERF_RECORD;
const PERF_DIR = join(BENCH, 'results/perf');
const PERF_HZ = 999;
const PERF_FROM_MS = 3000;
const PROF_DIR = join(BENCH, 'results/cpu-prof');

// --together=barrage,raw: instead of one generator at a time, these run at the same time on core
// 0, each against an nginx of its own, and each one's rate is read from its own target over a
// window in which all of them run. Sharing the core, they are slowed alike by whatever else the
// host does, so their ratio is the ratio of what one request costs each, where the one-at-a-time
// rotation on a noisy host swung ±20 % between rounds. Each round gives every generator another
// target (nginx instances differ by a few %). Generators: barrage, raw, autocannon, barrage@alt,
// barrage@base, raw@alt (--raw-alt), and raw@<like> for the raw loop with raw-undici.mjs
// --like=<like> ('+' between several: raw@timeouts+headers, raw@modules, raw@redis).
const TOGETHER = argv.together ? String(argv.together).split(',').filter(Boolean) : null;

/** Resolves once `target` has served `n` requests more than when it was called. */
async function loadSeen(target, n = 1000, timeoutMs = 30_000) {
  const from = (await target.count()).requests;
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if ((await target.count()).requests - from >= n) return;
    await sleep(50);
  }
  throw new Error(`no load reached ${target.url} within ${timeoutMs} ms`);
}

/** Time a raw loop variant gets to set up before the load starts (--together with raw@...). */
const RAW_SETUP_MS = 3000;
/** The round's common start for raw loops (epoch ms; 0: none), passed by spawnRaw as --start-at. */
let rawStartAt = 0;

/**
 * --together's rounds: `gens` is [[name, (target) => { ended: Promise, pid: () => number }]].
 * Prints each one's rate and CPU µs per request over the window, and their ratios to the first.
 */
async function togetherRounds(gens) {
  const targets = [];
  try {
    for (let i = 0; i < gens.length; i++) targets.push(await startTarget(TARGET_KIND));
    const windowMs = (DURATION_S - 4) * 1000;
    if (windowMs < 2000) throw new Error('--together needs --duration=6 or more');
    console.log(`together: ${gens.map(([n]) => n).join(' + ')} at once on core 0, each with its own ${TARGET_KIND}; rates over a ${windowMs / 1000} s window in which all run\n`);
    const rates = gens.map(() => []);
    const costs = gens.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      await waitQuiet(QUIET_WAIT_MS);
      // Each generator meets another target each round: one nginx that serves a little slower
      // (and so lets its client batch less) would otherwise bias one generator in every round.
      const target = (i) => targets[(i + round) % targets.length];
      const campaigns = gens.map(([n], i) => (n.startsWith('barrage') ? i : -1)).filter((i) => i >= 0);
      const runs = new Array(gens.length);
      const seen = [];
      const launch = (i, n) => {
        seen.push(loadSeen(target(i), n));
        runs[i] = gens[i][1](target(i));
      };
      // A raw loop with setup of its own (raw@redis connects BullMQ first) holds its load until a
      // common instant; the others are launched just before it, or they would start early and end
      // before the window does.
      rawStartAt = gens.some(([n]) => n.startsWith('raw@')) ? Date.now() + RAW_SETUP_MS : 0;
      if (rawStartAt) {
        gens.forEach(([n], i) => n.startsWith('raw') && launch(i, 100));
        await sleep(rawStartAt - Date.now() - 500);
      }
      // Campaigns first, until their targets see load (a campaign takes a while to get going:
      // its ready phase), then the rest at once.
      for (const i of campaigns) launch(i, 1000);
      await Promise.all(seen);
      gens.forEach(([n], i) => runs[i] === undefined && launch(i, 100));
      await Promise.all(seen);
      await sleep(1000);
      const c0 = await Promise.all(gens.map((_, i) => target(i).count()));
      const cpu0 = runs.map((g) => procCpuMs(g.pid()));
      const t0 = performance.now();
      const recordings = PERF_RECORD ? runs.map((g, i) => perfRecord(g.pid(), `together-${gens[i][0]}`, windowMs)) : [];
      await sleep(windowMs);
      await Promise.all(recordings);
      const c1 = await Promise.all(gens.map((_, i) => target(i).count()));
      const cpu1 = runs.map((g) => procCpuMs(g.pid()));
      const secs = (performance.now() - t0) / 1000;
      await Promise.all(runs.map((g) => g.ended));
      const n = c1.map((c, i) => c.requests - c0[i].requests);
      const r = n.map((x) => x / secs);
      const us = n.map((x, i) => ((cpu1[i] - cpu0[i]) * 1000) / x);
      r.forEach((x, i) => rates[i].push(x));
      us.forEach((x, i) => costs[i].push(x));
      console.log(`  round ${round + 1}  ${gens.map(([n], i) => `${n} ${k(r[i])}/s ${us[i].toFixed(1)} µs CPU/request`).join('   ')}`);
      for (let i = 0; i < recordings.length; i++) {
        const file = await recordings[i];
        if (file) console.log(`    ${gens[i][0]}, µs per request:${topText(perfTop(file, n[i], 25))}`);
      }
      await sleep(500);
    }
    console.log(`\n=== together on core 0 (${new Date().toISOString().slice(0, 10)}, ${ROUNDS} rounds, ${DURATION_S} s runs) ===`);
    for (let i = 1; i < gens.length; i++) {
      const pairs = rates[i].map((x, j) => x / rates[0][j]);
      // Per CPU second: the same ratio unless the scheduler gave one of them more of the core.
      const perCpu = costs[i].map((x, j) => costs[0][j] / x);
      console.log(`  ${gens[i][0]} / ${gens[0][0]}: requests ${f2(median(pairs))} (pairs ${pairs.map(f2).join(', ')}), requests per CPU second ${f2(median(perCpu))} (pairs ${perCpu.map(f2).join(', ')})`);
    }
    return { together: gens.map(([n], i) => ({ name: n, rates: rates[i], usPerRequest: costs[i] })) };
  } finally {
    for (const t of targets) await t.stop();
  }
}

const k = (n) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)}k` : '-');
const pct = (n) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '-');
const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const mb = (n) => (Number.isFinite(n) ? `${(n / 1048576).toFixed(0)} MB` : '-');

/** What the machine did around `work`: other load (cores) beside the pids we know, target requests. */
async function around(target, ownPids, work) {
  const quiet = await waitQuiet(QUIET_WAIT_MS);
  const count0 = await target.count();
  const pids = [...target.pids(), ...ownPids()];
  const cpu0 = pids.map(procCpuMs);
  const self0 = process.cpuUsage();
  const cores0 = coreTimes();
  const t0 = performance.now();
  const out = await work();
  const wallMs = performance.now() - t0;
  const cores1 = coreTimes();
  const self = process.cpuUsage(self0);
  const known = pids.reduce((n, p, i) => n + procCpuMs(p) - cpu0[i], 0) + (out.extraCpuMs ?? 0);
  const count1 = await target.count();
  const otherMs = busyMs(cores0, cores1) - known - (self.user + self.system) / 1000;
  return { ...out, quietBefore: quiet, targetRequests: count1.requests - count0.requests, connections: count1.connections - count0.connections, otherLoad: Math.max(0, otherMs / wallMs) };
}

/**
 * --perf: `perf stat` on `pid` from `fromMs` after now for `lenMs`, and the target's count over
 * the same window: per request, the CPU µs it cost the process (user, kernel), its system calls,
 * context switches and page faults. Null without --perf or when perf fails.
 */
async function perfWindow(pid, target, fromMs = PERF_FROM_MS, lenMs = DURATION_S * 1000 - PERF_FROM_MS - 1000, name = 'run') {
  if (!PERF || lenMs < 1000) return null;
  await sleep(fromMs);
  const c0 = await target.count();
  const t0 = procTimesMs(pid);
  const record = PERF_RECORD ? perfRecord(pid, name, lenMs) : null;
  const r = await runChild('perf', ['stat', '-x', ',', '-e', 'task-clock,context-switches,page-faults,raw_syscalls:sys_enter', '-p', String(pid), '--', 'sleep', String(lenMs / 1000)], { timeoutMs: lenMs + 10_000 }).catch((e) => {
    console.error(`--perf: ${e.message} (is Linux perf installed?)`);
    return { stderr: '' };
  });
  const recording = await record;
  const t1 = procTimesMs(pid);
  const c1 = await target.count();
  const n = c1.requests - c0.requests;
  const ev = Object.fromEntries(
    r.stderr
      .split('\n')
      .map((l) => l.split(','))
      .filter((f) => f.length > 3 && f[0] !== '' && !Number.isNaN(Number(f[0])))
      .map((f) => [f[2], Number(f[0])]),
  );
  if (!(n > 0) || ev['task-clock'] === undefined) return null;
  return {
    requests: n,
    rps: n / (lenMs / 1000),
    usPerReq: (ev['task-clock'] * 1000) / n,
    userUsPerReq: ((t1.user - t0.user) * 1000) / n,
    sysUsPerReq: ((t1.sys - t0.sys) * 1000) / n,
    syscallsPerReq: ev['raw_syscalls:sys_enter'] / n,
    switchesPerReq: ev['context-switches'] / n,
    faultsPerReq: ev['page-faults'] / n,
    busy: ev['task-clock'] / lenMs,
    top: recording ? perfTop(recording, n) : null,
  };
}

/** --perf-record: `perf record` of `pid` for `lenMs`; resolves with the file, or null when perf failed. */
async function perfRecord(pid, name, lenMs) {
  mkdirSync(PERF_DIR, { recursive: true });
  const file = join(PERF_DIR, `${name}-${Date.now()}.data`);
  const r = await runChild('perf', ['record', ...(argv['perf-callers'] ? ['-g'] : []), '-F', String(PERF_HZ), '-o', file, '-p', String(pid), '--', 'sleep', String(lenMs / 1000)], { timeoutMs: lenMs + 10_000 }).catch(() => null);
  return r ? file : null;
}

/** --perf-record: the recording's top symbols (JIT frames named through --perf-basic-prof) in CPU µs per request. */
function perfTop(file, requests, top = 12) {
  const r = spawnSync('perf', ['report', '-i', file, '--stdio', '--sort', 'dso,sym', '-F', 'sample,dso,sym', '--percent-limit', '0.5'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const rows = [];
  for (const line of (r.stdout ?? '').split('\n')) {
    const m = /^\s+(\d+)\s+(\S+(?: tid \d+)?)\s+\[.\]\s+(.*)$/.exec(line);
    if (m) rows.push({ us: (Number(m[1]) * 1e6) / PERF_HZ / requests, dso: m[2], sym: m[3].trim() });
  }
  return rows.sort((a, b) => b.us - a.us).slice(0, top);
}

const topText = (top) => (top ? top.map((t) => `\n        ${t.us.toFixed(2).padStart(6)} µs  ${t.dso.padEnd(18)} ${t.sym.slice(0, 90)}`).join('') : '');
const perfText = (p) =>
  p
    ? topText(p.top) + `\n      perf ${(p.rps / 1000).toFixed(1)}k/s: ${p.usPerReq.toFixed(1)} µs CPU/request (user ${p.userUsPerReq.toFixed(1)}, kernel ${p.sysUsPerReq.toFixed(1)}), ${p.syscallsPerReq.toFixed(2)} syscalls, ${p.switchesPerReq.toFixed(3)} context switches, ${p.faultsPerReq.toFixed(3)} page faults/request, busy ${pct(p.busy)}`
    : '';

/** A generator process pinned to core 0, run to its end; its CPU and peak RSS (and --perf's window). */
async function generator(cmd, args, target) {
  // --perf-record: node writes /tmp/perf-<pid>.map so that perf names the JIT frames.
  const [c, a] = pinned(0, cmd, PERF_RECORD ? ['--perf-basic-prof', ...args] : args);
  let stopWatch = () => ({ peak: 0, cpuMs: 0 });
  let perf = Promise.resolve(null);
  const r = await runChild(c, a, {
    timeoutMs: (DURATION_S + 20) * 1000,
    onSpawn: (child) => {
      stopWatch = watchProcess(child.pid);
      perf = perfWindow(child.pid, target, PERF_FROM_MS, undefined, args[0].split('/').pop().replace(/\.m?js$/, ''));
    },
  });
  const w = stopWatch();
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.slice(-2000)}`);
  return { r, peakRss: w.peak, genCpu: w.cpuMs / (DURATION_S * 1000), extraCpuMs: w.cpuMs, perf: await perf };
}

async function main() {
  const stack = await ensureStack();
  console.log(`real-factory bench ${new Date().toISOString()}  node ${process.version}  target ${TARGET_KIND}  pinning ${canPin() ? 'target + head core 1, generators core 0' : 'OFF (no taskset or one core)'}`);
  console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const tag = Date.now().toString(36);
  const zone = `bench-${tag}`;
  const target = await startTarget(TARGET_KIND);
  let head = null;
  let factory = null;
  const nodeFlags = [];
  if (PERF_RECORD) nodeFlags.push('--perf-basic-prof');
  // e.g. --factory-flags=--trace-deopt,--trace-turbo-inlining: V8's traces land in the factory's log
  nodeFlags.push(...flagList(argv['factory-flags']));
  if (argv['cpu-prof'] === 'true') {
    mkdirSync(PROF_DIR, { recursive: true });
    nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`, `--cpu-prof-name=factory-${tag}.cpuprofile`);
  }
  const altFlags = flagList(argv['alt-flags']);
  const altEnv = argv['alt-env'] || altFlags.length ? envList(argv['alt-env'] ?? '') : null;
  const results = { barrage: [], autocannon: [], raw: [], ...(argv.base ? { 'barrage@base': [] } : {}), ...(altEnv ? { 'barrage@alt': [] } : {}) };
  const baseRoot = argv.base ? prepareBase(String(argv.base)) : null;
  let baseFactory = null;
  let altFactory = null;
  /** When each campaign ran, in ms from the factory's spawn (≈ its profile's start). */
  const campaignWindows = [];
  let factoryStartedAt = 0;
  try {
    await runChild('wrk', ['-t1', '-c10', '-d1s', target.url], { timeoutMs: 5000 }).catch(() => undefined);
    head = await startHead(stack, { core: canPin() ? 1 : null, name: `head-${tag}` });
    factoryStartedAt = performance.now();
    factory = await startFactory(head, stack, { zone, id: `${zone}-f0`, core: canPin() ? 0 : null, nodeFlags });
    if (altEnv) altFactory = await startFactory(head, stack, { zone: `${zone}-alt`, id: `${zone}-alt-f0`, core: canPin() ? 0 : null, nodeFlags: [...(PERF_RECORD ? ['--perf-basic-prof'] : []), ...altFlags], env: altEnv });
    if (baseRoot) baseFactory = await startFactory(head, stack, { zone: `${zone}-base`, id: `${zone}-base-f0`, core: canPin() ? 0 : null, root: baseRoot });
    /** One looping GET with a status check to `url`, saved under `name`. */
    const saveGetScenario = (name, url) => saveScenario(head, { name, loop: true, steps: [{ name: 'get', method: 'GET', url, checks: [{ status: [200] }] }] });
    /** The campaign every barrage run makes: `CONNECTIONS` minions of `scenarioName` in zone `z` for the run's duration. */
    const campaignBody = (scenarioName, z) => ({
      name: `real-factory ${tag}`,
      startOffsetMs: 1000,
      timeoutMs: DURATION_S * 1000,
      scenarios: { [scenarioName]: { minionsCount: CONNECTIONS, zones: { [z]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } },
    });
    const scenario = `bench-get-${tag}`;
    await saveGetScenario(scenario, target.url);
    console.log(`head ${head.base} (core 1), factory ${zone}-f0 pid ${factory.pid} (core 0), scenario ${scenario}: GET ${target.url} with a status check, loop`);
    console.log(`closed model, ${CONNECTIONS} connections/minions, ${DURATION_S} s per run, ${ROUNDS} rounds, order rotated\n`);

    const others = () => [factory.pid, head.process.pid, ...(baseFactory ? [baseFactory.pid] : []), ...(altFactory ? [altFactory.pid] : [])];
    const runBarrage = (f = factory, z = zone) =>
      around(target, others, async () => {
        const cpu0 = procCpuMs(f.pid);
        const from = performance.now() - factoryStartedAt;
        // The campaign starts ~1 s after it is created (startOffsetMs) and its chunk warms up first.
        const perf = perfWindow(f.pid, target, PERF_FROM_MS + 1500, undefined, 'factory');
        const { key, report, campaign } = await runCampaign(head, campaignBody(scenario, z));
        const cpuMs = procCpuMs(f.pid) - cpu0;
        const s = report.summary;
        if (campaign.status !== 'completed') throw new Error(`campaign ${key} ended ${campaign.status}`);
        if (f === factory) campaignWindows.push([from, performance.now() - factoryStartedAt]);
        return {
          key,
          rps: s.avgRps,
          requests: s.requests,
          durationSeconds: s.durationSeconds,
          windowRps: s.requests / DURATION_S,
          failures: s.failures,
          checks: s.checks,
          saturated: report.generator?.saturatedIntervals,
          genCpu: cpuMs / (DURATION_S * 1000),
          rss: procRss(f.pid),
          perf: await perf,
        };
      });
    const runAutocannon = () =>
      around(target, others, async () => {
        const g = await generator(process.execPath, [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(DURATION_S), '-j', target.url], target);
        const j = JSON.parse(g.r.stdout);
        return { ...g, r: undefined, rps: j.requests.total / j.duration, requests: j.requests.total, failures: j.errors + j.non2xx };
      });
    const runRaw = () =>
      around(target, others, async () => {
        const g = await generator(process.execPath, [join(BENCH, 'raw-undici.mjs'), target.url, `--connections=${CONNECTIONS}`, `--duration=${DURATION_S}`], target);
        const j = JSON.parse(g.r.stdout.trim().split('\n').pop());
        return { ...g, r: undefined, rps: j.rps, requests: j.requests, failures: j.errors + j.non2xx };
      });
    /** --together: one campaign to `t` (a target of its own, through a scenario of its own, saved once). */
    const scenarioOf = new Map();
    const campaignTo = (f, z, t) => {
      const name = `bench-get-${tag}-${t.port}`;
      if (!scenarioOf.has(t)) scenarioOf.set(t, saveGetScenario(name, t.url));
      const ended = (async () => {
        await scenarioOf.get(t);
        const { key, campaign } = await runCampaign(head, campaignBody(name, z));
        if (campaign.status !== 'completed') throw new Error(`campaign ${key} ended ${campaign.status}`);
      })();
      return { ended, pid: () => f.pid };
    };
    const spawnPinned = (args) => {
      let pid = 0;
      const ended = runChild(...pinned(0, process.execPath, PERF_RECORD ? ['--perf-basic-prof', ...args] : args), { timeoutMs: (DURATION_S + 20) * 1000, onSpawn: (c) => (pid = c.pid) });
      return { ended, pid: () => pid };
    };
    const spawnRaw = (t, more = []) => spawnPinned([join(BENCH, 'raw-undici.mjs'), t.url, `--connections=${CONNECTIONS}`, `--duration=${DURATION_S}`, ...(rawStartAt ? [`--start-at=${rawStartAt}`] : []), ...more]);
    const spawnAutocannon = (t) => spawnPinned([AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(DURATION_S), t.url]);
    const tools = [
      ['barrage', () => runBarrage()],
      ['autocannon', runAutocannon],
      ['raw', runRaw],
      ...(baseFactory ? [['barrage@base', () => runBarrage(baseFactory, `${zone}-base`)]] : []),
      ...(altFactory ? [['barrage@alt', () => runBarrage(altFactory, `${zone}-alt`)]] : []),
    ];
    if (TOGETHER) {
      const launch = { barrage: (t) => campaignTo(factory, zone, t), raw: spawnRaw, autocannon: spawnAutocannon };
      // --raw-alt=timeouts,...: the raw loop with some of the factory's request options (raw-undici.mjs --like)
      if (argv['raw-alt']) launch['raw@alt'] = (t) => spawnRaw(t, [`--like=${argv['raw-alt']}`]);
      if (altFactory) launch['barrage@alt'] = (t) => campaignTo(altFactory, `${zone}-alt`, t);
      if (baseFactory) launch['barrage@base'] = (t) => campaignTo(baseFactory, `${zone}-base`, t);
      // raw@<like>: the raw loop with --like=<like> ('+' between several), e.g. raw@redis, raw@timeouts+headers
      for (const n of TOGETHER) if (!launch[n] && n.startsWith('raw@')) launch[n] = (t) => spawnRaw(t, [`--like=${n.slice(4).replaceAll('+', ',')}`]);
      for (const n of TOGETHER) if (!launch[n]) throw new Error(`--together: no generator ${n} (one of ${Object.keys(launch).join(', ')})`);
      writeJson(await togetherRounds(TOGETHER.map((n) => [n, launch[n]])));
      return;
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = tools.map((_, i) => tools[(i + round) % tools.length]);
      for (const [name, fn] of order) {
        const r = await fn();
        results[name].push(r);
        const more =
          name.startsWith('barrage')
            ? `  (report: ${r.requests} requests / ${f2(r.durationSeconds)} s; requests / ${DURATION_S} s = ${k(r.windowRps)}/s)  checks failed ${r.checks?.failed ?? '-'}  saturated intervals ${r.saturated ?? '-'}  factory RSS ${mb(r.rss)}`
            : `  peak RSS ${mb(r.peakRss)}`;
        console.log(
          `  round ${round + 1}  ${name.padEnd(10)} ${k(r.rps).padStart(7)}/s  target-side ${k(r.targetRequests / DURATION_S).padStart(7)}/s  conns ${r.connections}  generator CPU ${pct(r.genCpu)}  other load ${r.otherLoad.toFixed(2)} cores  failures ${r.failures}${more}${perfText(r.perf)}`,
        );
        await sleep(500);
      }
    }
  } finally {
    await stop(factory);
    await stop(baseFactory);
    await stop(altFactory);
    await stop(head?.process);
    await target.stop();
  }

  const rps = (name) => results[name].map((r) => r.rps);
  const pair = (a, b) => results[a].map((r, i) => r.rps / results[b][i].rps);
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    target: TARGET_KIND,
    durationS: DURATION_S,
    rounds: ROUNDS,
    median: Object.fromEntries(Object.keys(results).map((n) => [n, median(rps(n))])),
    runs: Object.fromEntries(Object.keys(results).map((n) => [n, rps(n)])),
    ratios: {
      barrageOverAutocannon: median(pair('barrage', 'autocannon')),
      barrageOverRaw: median(pair('barrage', 'raw')),
      rawOverAutocannon: median(pair('raw', 'autocannon')),
      ...(baseFactory ? { barrageOverBase: median(pair('barrage', 'barrage@base')) } : {}),
      ...(altFactory ? { altOverBarrage: median(pair('barrage@alt', 'barrage')), altOverRaw: median(pair('barrage@alt', 'raw')) } : {}),
    },
    pairs: { barrageOverAutocannon: pair('barrage', 'autocannon'), barrageOverRaw: pair('barrage', 'raw') },
    disturbed: Object.values(results).flat().filter((r) => r.otherLoad > DISTURBED).length,
  };
  console.log(`\n=== real factory, closed model (${summary.date.slice(0, 10)}, ${TARGET_KIND} on core 1, generators on core 0, ${DURATION_S} s runs) ===`);
  for (const n of Object.keys(results)) {
    console.log(`  ${n.padEnd(10)} median ${k(summary.median[n]).padStart(7)}/s   runs ${results[n].map((r) => `${k(r.rps)}${r.otherLoad > DISTURBED ? '*' : ''}`).join(' ')}`);
  }
  if (summary.disturbed) console.log(`  * ${summary.disturbed} run(s) had > ${DISTURBED} cores of other load: their figures are low`);
  console.log(`  barrage / autocannon = ${f2(summary.ratios.barrageOverAutocannon)} (median of pairs ${summary.pairs.barrageOverAutocannon.map(f2).join(', ')}; target ≥ 1.15)`);
  console.log(`  barrage / raw undici = ${f2(summary.ratios.barrageOverRaw)} (median of pairs ${summary.pairs.barrageOverRaw.map(f2).join(', ')}; target ≥ 0.95)`);
  console.log(`  raw / autocannon     = ${f2(summary.ratios.rawOverAutocannon)}`);
  if (altFactory) console.log(`  barrage@alt (${[argv['alt-env'], argv['alt-flags']].filter(Boolean).join(' ')}) / barrage = ${f2(summary.ratios.altOverBarrage)} (pairs ${pair('barrage@alt', 'barrage').map(f2).join(', ')}); / raw = ${f2(summary.ratios.altOverRaw)}`);
  if (baseFactory) console.log(`  barrage / barrage@${argv.base} = ${f2(summary.ratios.barrageOverBase)} (median of pairs ${pair('barrage', 'barrage@base').map(f2).join(', ')})`);

  if (argv['cpu-prof'] === 'true') {
    const file = readdirSync(PROF_DIR).find((f) => f === `factory-${tag}.cpuprofile`);
    if (file) {
      const profile = JSON.parse(readFileSync(join(PROF_DIR, file), 'utf8'));
      // Only the campaigns (the boot's in-process warm-up is left out): the profile starts with the process.
      console.log(`\nfactory CPU profile (${join('bench/results/cpu-prof', file)}), during the campaigns, idle left out:`);
      console.log(formatTop(topFrames(profile, { top: Number(argv.top ?? 30), windows: campaignWindows })));
    } else console.log(`\n(no CPU profile found in ${PROF_DIR})`);
  }
  writeJson({ ...summary, results });
}

/** --json=<file>: the run's figures. */
function writeJson(figures) {
  if (!argv.json) return;
  mkdirSync(join(argv.json, '..'), { recursive: true });
  writeFileSync(argv.json, JSON.stringify(figures, null, 2));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`real-factory bench failed: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
