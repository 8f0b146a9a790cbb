// Issue 15's memory target: a factory (`barrage factory`, on core 0) running 10,000 minions of
// the closed model (one looping GET with a status check, IMMEDIATELY) against a target that
// answers after 1 s (bench/target.mjs with a delay, on core 1), for --duration seconds. Samples
// the factory's RSS (/proc) and its V8 heap (its own /metrics) every --every seconds and prints
// the peak RSS, the bytes per minion (peak RSS minus the idle factory's RSS, over the minions)
// and the RSS slope over the run's second half (the first minute is the ramp: sockets opened,
// heap grown).
//
//   node bench/memory.mjs [--duration=300] [--minions=10000] [--delay=1000] [--every=5]
//                         [--factory-env=HEAP_GROWTH_PERCENT=0] [--factory-flags=--max-semi-space-size=64]
//                         [--json=bench/results/memory.json]
//
// Targets: peak RSS < 300 MB, no growth over 5 minutes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canPin, ensureStack, envList, flagList, freePort, parseArgs, procCpuMs, procRss, sleep, startTarget } from './lib.mjs';
import { runCampaign, saveScenario, startFactory, startHead, stop } from './cluster.mjs';

const argv = parseArgs();
const DURATION_S = Number(argv.duration ?? 300);
const MINIONS = Number(argv.minions ?? 10_000);
const DELAY_MS = Number(argv.delay ?? 1000);
const EVERY_S = Number(argv.every ?? 5);
/** Node flags for the factory process, e.g. --factory-flags=--max-semi-space-size=32 (comma-separated). */
const FACTORY_FLAGS = flagList(argv['factory-flags']);
/** Factory settings, e.g. --factory-env=HEAP_GROWTH_PERCENT=0 (V8's own heap growth; comma-separated). */
const FACTORY_ENV = envList(argv['factory-env']);
const LIMIT = 300 * 1024 * 1024;

const mb = (n) => (Number.isFinite(n) ? `${(n / 1048576).toFixed(1)} MB` : '-');

/** One gauge of the factory's Prometheus text (prom-client's default process metrics). */
async function gauge(url, name) {
  try {
    const text = await (await fetch(url)).text();
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den > 0 ? num / den : Number.NaN;
}

async function main() {
  const stack = await ensureStack();
  const tag = Date.now().toString(36);
  const zone = `mem-${tag}`;
  console.log(`memory bench ${new Date().toISOString()}  node ${process.version}  ${MINIONS} minions, target answers after ${DELAY_MS} ms, ${DURATION_S} s, RSS every ${EVERY_S} s`);
  if (FACTORY_FLAGS.length || Object.keys(FACTORY_ENV).length) console.log(`factory flags: ${FACTORY_FLAGS.join(" ") || "-"}  env: ${Object.entries(FACTORY_ENV).map(([k, v]) => `${k}=${v}`).join(" ") || "-"}`);
  console.log(`load average at start: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const target = await startTarget('node', { delayMs: DELAY_MS });
  let head = null;
  let factory = null;
  const samples = [];
  let outcome = null;
  try {
    head = await startHead(stack, { core: canPin() ? 1 : null, name: `head-${tag}` });
    const metricsPort = await freePort();
    factory = await startFactory(head, stack, { zone, id: `${zone}-f0`, core: canPin() ? 0 : null, nodeFlags: FACTORY_FLAGS, env: { ...FACTORY_ENV, METRICS_PORT: String(metricsPort) } });
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    await sleep(2000); // the boot's warm-up garbage settles
    const idleRss = procRss(factory.pid);
    const idleHeap = await gauge(metricsUrl, 'barrage_factory_nodejs_heap_size_used_bytes');
    console.log(`factory ${zone}-f0 pid ${factory.pid}: idle RSS ${mb(idleRss)}, heap used ${mb(idleHeap)}`);
    const scenario = `mem-get-${tag}`;
    await saveScenario(head, { name: scenario, loop: true, steps: [{ name: 'get', method: 'GET', url: target.url, checks: [{ status: [200] }] }] });

    let running = false;
    let t0 = 0;
    let cpu0 = 0;
    const sampler = (async () => {
      while (!outcome) {
        if (running) {
          const t = (performance.now() - t0) / 1000;
          const rss = procRss(factory.pid);
          const heap = await gauge(metricsUrl, 'barrage_factory_nodejs_heap_size_used_bytes');
          // Committed heap (what V8 holds from the OS) and memory outside it (sockets' buffers...).
          const heapTotal = await gauge(metricsUrl, 'barrage_factory_nodejs_heap_size_total_bytes');
          const external = await gauge(metricsUrl, 'barrage_factory_nodejs_external_memory_bytes');
          const cpu = (procCpuMs(factory.pid) - cpu0) / (t * 1000);
          samples.push({ t, rss, heap, heapTotal, external });
          console.log(`  t=${t.toFixed(0).padStart(4)} s  RSS ${mb(rss).padStart(9)}  heap used ${mb(heap).padStart(9)} of ${mb(heapTotal).padStart(9)}  external ${mb(external).padStart(8)}  factory CPU ${(100 * cpu).toFixed(0)}% (avg)`);
        }
        await sleep(EVERY_S * 1000);
      }
    })();
    outcome = await runCampaign(
      head,
      {
        name: `memory ${tag}`,
        startOffsetMs: 1000,
        timeoutMs: DURATION_S * 1000,
        scenarios: { [scenario]: { minionsCount: MINIONS, zones: { [zone]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } } },
      },
      {
        timeoutMs: (DURATION_S + 120) * 1000,
        onRunning: () => {
          running = true;
          t0 = performance.now();
          cpu0 = procCpuMs(factory.pid);
        },
      },
    );
    await sampler;
    const peak = Math.max(...samples.map((s) => s.rss));
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${factory.pid}/status`, 'utf8'))?.[1] ?? Number.NaN) * 1024;
    const second = samples.filter((s) => s.t >= DURATION_S / 2);
    const perMin = slope(second.map((s) => [s.t / 60, s.rss]));
    const heapPerMin = slope(second.map((s) => [s.t / 60, s.heap]));
    const s = outcome.report.summary;
    const result = {
      date: new Date().toISOString(),
      minions: MINIONS,
      durationS: DURATION_S,
      idleRss,
      peakRss: Math.max(peak, hwm),
      bytesPerMinion: (Math.max(peak, hwm) - idleRss) / MINIONS,
      rssSlopePerMin: perMin,
      heapSlopePerMin: heapPerMin,
      requests: s.requests,
      avgRps: s.avgRps,
      peakMinions: s.peakMinions,
      failures: s.failures,
      connections: outcome.report.timingBreakdown?.connections,
      latency: outcome.report.latency,
      samples,
    };
    console.log(`\n=== memory, ${MINIONS} minions, closed model, target answering after ${DELAY_MS} ms (${result.date.slice(0, 10)}) ===`);
    console.log(`  report: ${s.requests} requests, ${s.avgRps.toFixed(0)}/s (ideal ${(MINIONS / (DELAY_MS / 1000)).toFixed(0)}/s), peak minions ${s.peakMinions}, failures ${s.failures}, connections ${result.connections ?? '-'}`);
    const lat = outcome.report.latency;
    if (lat) console.log(`  latency (report): p50 ${lat.p50?.toFixed(1)} p99 ${lat.p99?.toFixed(1)} p99.9 ${lat.p999?.toFixed(1)} max ${lat.max?.toFixed(1)} ms  (the target answers after ${DELAY_MS} ms: the rest is the factory's own delay, GC pauses included)`);
    console.log(`  factory RSS: idle ${mb(idleRss)}, peak ${mb(result.peakRss)} (VmHWM ${mb(hwm)})  → ${result.peakRss < LIMIT ? 'under' : 'OVER'} 300 MB`);
    console.log(`  bytes per minion: ${(result.bytesPerMinion / 1024).toFixed(1)} KiB ((peak − idle) / ${MINIONS})`);
    console.log(`  RSS slope over the second half: ${mb(perMin)}/min; heap used: ${mb(heapPerMin)}/min`);
    if (argv.json) {
      mkdirSync(join(argv.json, '..'), { recursive: true });
      writeFileSync(argv.json, JSON.stringify(result, null, 2));
    }
  } finally {
    outcome ??= { aborted: true };
    await stop(factory);
    await stop(head?.process);
    await target.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`memory bench failed: ${e?.stack ?? e}`);
    process.exit(1);
  },
);
