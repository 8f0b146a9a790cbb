// Hot-path micro-benchmarks of the built libraries (node bench/recorder.bench.mjs):
//   - StepRecorder.recordResponse (libs/metrics): what the factory does per response;
//   - arrivalAtMs + nextOwnedUnit (libs/planning): what the open model does per arrival.
// 1e6 calls per run, 5 measured runs after one warm-up run, median ns per call. Values are
// precomputed so the loop measures the call, not Math.random.
import { importDist } from './lib.mjs';

const { StepRecorder } = await importDist('libs/metrics/dist/index.js');
const { planRate, arrivalAtMs, nextOwnedUnit, totalArrivals } = await importDist('libs/planning/dist/index.js');

const N = 1_000_000;
const RUNS = 5;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** ns per call of `body(n)` (which makes n calls), median of RUNS runs after a warm-up. */
function bench(name, body, { setup = () => undefined } = {}) {
  setup();
  body(N); // warm-up: JIT tiers, caches
  const ns = [];
  for (let r = 0; r < RUNS; r++) {
    setup();
    const t0 = process.hrtime.bigint();
    body(N);
    ns.push(Number(process.hrtime.bigint() - t0) / N);
  }
  console.log(`${name.padEnd(62)} ${median(ns).toFixed(1).padStart(6)} ns/call   (runs: ${ns.map((x) => x.toFixed(1)).join(' ')})`);
  return median(ns);
}

let sink = 0;

// ---- StepRecorder.recordResponse -----------------------------------------------------------
// Latencies as the factory passes them: (ms difference) * 1000, fractional µs, 0.2–5 ms with a
// tail to 200 ms; service time a bit below.
const M = 1 << 16;
const latencies = new Float64Array(M);
const services = new Float64Array(M);
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
for (let i = 0; i < M; i++) {
  const base = 200 + rnd() * 4800 + (rnd() < 0.01 ? rnd() * 200_000 : 0);
  latencies[i] = base + rnd();
  services[i] = base * 0.9 + rnd();
}
const recorder = new StepRecorder('get');
const results = {};
results.recordResponse = bench(
  'StepRecorder.recordResponse (200, success)',
  (n) => {
    for (let i = 0; i < n; i++) recorder.recordResponse(latencies[i & (M - 1)], services[i & (M - 1)], 200, 120, 0, null);
  },
  { setup: () => recorder.swap() },
);
bench(
  'StepRecorder.recordResponse (503, http_5xx failure)',
  (n) => {
    for (let i = 0; i < n; i++) recorder.recordResponse(latencies[i & (M - 1)], services[i & (M - 1)], 503, 120, 0, 'http_5xx');
  },
  { setup: () => recorder.swap() },
);
{
  // Once per interval and step: swap the histograms, encode them (compressed base64).
  let total = 0n;
  for (let r = 0; r < 20; r++) {
    for (let i = 0; i < 20_000; i++) recorder.recordResponse(latencies[i & (M - 1)], services[i & (M - 1)], 200, 120, 0, null);
    const s0 = process.hrtime.bigint();
    sink += recorder.swap().requests;
    total += process.hrtime.bigint() - s0;
  }
  console.log(`${'StepRecorder.swap (20,000 responses, encodes 2 histograms)'.padEnd(62)} ${(Number(total) / 20 / 1000).toFixed(1).padStart(6)} µs/call`);
}

// ---- arrivalAtMs + nextOwnedUnit -------------------------------------------------------------
// The open model's per-arrival work in ChunkRunner.tickArrivals: the arrival's instant, then
// the chunk's next arrival. 20,000/s for 60 s = 1.2e6 arrivals, enough for 1e6 calls.
const constant = planRate({ profile: 'CONSTANT_RATE', rate: 20_000, durationMs: 60_000, maxInFlight: 1000 }, 1);
const ramping = planRate(
  { profile: 'RAMPING_RATE', startRate: 1000, stages: [{ targetRate: 40_000, durationMs: 30_000 }, { targetRate: 20_000, durationMs: 30_000 }], maxInFlight: 1000 },
  1,
);
const oneChunk = { levels: [{ weights: [1], index: 0 }] };
const twoLevels = { levels: [{ weights: [45, 55], index: 1 }, { weights: [3, 2, 5], index: 2 }] };

function walk(schedule, share) {
  const total = totalArrivals(schedule);
  return (n) => {
    let k = nextOwnedUnit(share, 0);
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (k >= total) k = nextOwnedUnit(share, 0);
      s += arrivalAtMs(schedule, k);
      k = nextOwnedUnit(share, k + 1);
    }
    sink += s;
  };
}
results.arrival = bench('arrivalAtMs + nextOwnedUnit (CONSTANT_RATE, one chunk)', walk(constant, oneChunk));
bench('arrivalAtMs + nextOwnedUnit (CONSTANT_RATE, 2 zones x 3 chunks)', walk(constant, twoLevels));
bench('arrivalAtMs + nextOwnedUnit (RAMPING_RATE 2 stages, one chunk)', walk(ramping, oneChunk));

if (sink === 42) console.log('');
console.log(`\nnode ${process.version}, ${new Date().toISOString().slice(0, 10)}: recordResponse ${results.recordResponse.toFixed(1)} ns, arrivalAtMs+nextOwnedUnit ${results.arrival.toFixed(1)} ns`);
