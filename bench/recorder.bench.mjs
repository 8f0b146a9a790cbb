// Hot-path micro-benchmarks of the built libraries (node bench/recorder.bench.mjs):
//   - StepRecorder.recordResponse (libs/metrics): what the factory does per response, alone and
//     with what it adds per response since (recordChecks + recordTimings), and the sample-cap
//     check of a failure whose kind is full (wantsSample);
//   - the factory's per-response byte count of a response head (responseHeadBytes) and of a
//     templated request (requestWireBytes; constant requests count theirs once per chunk);
//   - arrivalAtMs + nextOwnedUnit (libs/planning): what the open model does per arrival.
// 1e6 calls per run, 5 measured runs after one warm-up run, median ns per call. Values are
// precomputed so the loop measures the call, not Math.random.
import { importDist } from './lib.mjs';

const { StepRecorder } = await importDist('libs/metrics/dist/index.js');
const { planRate, arrivalAtMs, nextOwnedUnit, totalArrivals } = await importDist('libs/planning/dist/index.js');
const { requestWireBytes, responseHeadBytes } = await importDist('apps/factory/dist/http/wire-bytes.js');

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
// What Iteration.onComplete records per response now: the response, the checks it evaluated,
// where its time went (first byte, download).
const firstBytes = new Float64Array(M);
const downloads = new Float64Array(M);
for (let i = 0; i < M; i++) {
  firstBytes[i] = services[i] * 0.8;
  downloads[i] = services[i] * 0.2;
}
results.perResponse = bench(
  'recordResponse + recordChecks + recordTimings (200, success)',
  (n) => {
    for (let i = 0; i < n; i++) {
      const j = i & (M - 1);
      recorder.recordResponse(latencies[j], services[j], 200, 120, 0, null);
      recorder.recordChecks(1);
      recorder.recordTimings(firstBytes[j], downloads[j]);
    }
  },
  { setup: () => recorder.swap() },
);
bench(
  'recordResponse + recordChecks + recordTimings + wantsSample (503, kind full)',
  (n) => {
    for (let i = 0; i < n; i++) {
      const j = i & (M - 1);
      recorder.recordResponse(latencies[j], services[j], 503, 120, 0, 'http_5xx');
      recorder.recordChecks(1);
      recorder.recordTimings(firstBytes[j], downloads[j]);
      if (recorder.wantsSample('http_5xx')) recorder.addSample('http_5xx', `GET http://127.0.0.1:8080/x`, 503, `HTTP ${503}`, 1.7e12);
    }
  },
  { setup: () => recorder.swap() },
);
results.wantsSample = bench(
  'StepRecorder.wantsSample (kind full: a counter check)',
  (n) => {
    let s = 0;
    for (let i = 0; i < n; i++) if (recorder.wantsSample(i & 1 ? 'http_5xx' : 'timeout')) s++;
    sink += s;
  },
  {
    setup: () => {
      recorder.swap();
      for (let i = 0; i < 3; i++) {
        recorder.addSample('http_5xx', 'GET http://h/', 503, 'HTTP 503', 1);
        recorder.addSample('timeout', 'GET http://h/', null, 'Headers Timeout Error', 1);
      }
    },
  },
);

// ---- wire bytes (apps/factory) ---------------------------------------------------------------
// A response head as undici's onHeaders hands it over (6 headers, like nginx's), and a templated
// request's head (rendered per request; a constant one is counted once per chunk).
const rawHeaders = [
  ['Server', 'nginx/1.22.1'], ['Date', 'Wed, 24 Nov 2026 22:14:00 GMT'], ['Content-Type', 'text/plain'],
  ['Content-Length', '2'], ['Connection', 'keep-alive'], ['X-Request-Id', '8c1f2d'],
].flat().map((x) => Buffer.from(x));
results.responseHead = bench('responseHeadBytes (6 raw headers)', (n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += responseHeadBytes(rawHeaders, 'OK');
  sink += s;
});
const tplHeaders = ['content-type', 'application/json', 'authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x'];
bench('requestWireBytes (templated POST, 2 headers)', (n) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += requestWireBytes('POST', 'http://127.0.0.1:8080', '/users/42', tplHeaders, 57 + (i & 7));
  sink += s;
});

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
console.log(
  `\nnode ${process.version}, ${new Date().toISOString().slice(0, 10)}: recordResponse ${results.recordResponse.toFixed(1)} ns, ` +
    `per response with checks+timings ${results.perResponse.toFixed(1)} ns, wantsSample (full) ${results.wantsSample.toFixed(1)} ns, ` +
    `responseHeadBytes ${results.responseHead.toFixed(1)} ns, arrivalAtMs+nextOwnedUnit ${results.arrival.toFixed(1)} ns`,
);
