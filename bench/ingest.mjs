#!/usr/bin/env node
// Head ingest benchmark (issue 15): how fast heads merge factories' snapshots into Postgres.
//
// Real head processes (`barrage head`, built output) on the local stack; the factories are
// simulated: this script registers N factories of a zone of its own in Redis (so that
// POST /campaigns allocates one chunk to each), creates a real campaign through the API, sends
// each chunk's `accepted`, `ready` and `started` events, then XADDs to `barrage:stream` what N
// factories would: one snapshot per chunk per second, in the contract's format (checked with
// libs/contracts' snapshotSchema), each step's data swapped out of a real StepRecorder
// (libs/metrics: encoded HDR histograms, status codes, timings, a few failures and samples),
// and finally `finished` events; the campaign then completes as with real factories.
//
// Two phases, for 1 head and then 2 heads:
//   live  — N factories × S steps at 1 s resolution for --duration seconds, paced on the
//           second boundaries as factories push them: lag = receipt visible in Postgres
//           minus the XADD, p50/p99/max, and snapshots/s merged.
//   drain — a backlog of N × --backlog snapshots XADDed as fast as Redis takes them: the
//           most snapshots/s the heads merge (between 10 % and 90 % of them merged).
// Lag is seen by polling `snapshot_receipts` (written in the merge's transaction) every
// --poll ms: a lag figure is late by up to that plus one query.
// Every phase checks exactly-once: receipts = snapshots sent, and the request counts in
// Postgres (campaign total, every step row, the `*` roll-up) = the requests sent.
//
//   node bench/ingest.mjs                       # 200 factories × 10 steps, 30 s, 1 then 2 heads
//   node bench/ingest.mjs --heads=1 --duration=10 --no-drain
//   node bench/ingest.mjs --cpu-prof            # heads write .cpuprofile files (see --prof-dir)
//   flock /work/bench.lock node bench/ingest.mjs   # on a shared machine
//
// Needs a build (npm run build) and the local stack (started here when .barrage/stack.env's
// Redis does not answer). Leaves the stack as it found it: its campaigns are deleted, its
// factories deregistered and its chunk jobs removed. A benchmark, not a test: it prints figures.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { ROOT, freePort, track } from './lib.mjs';
import { api as headApi } from './cluster.mjs';

const CLI = join(ROOT, 'apps/cli/dist/main.js');

// ----- options -----
const opts = {
  factories: 200,
  steps: 10,
  duration: 30,
  backlog: 30,
  heads: [1, 2],
  poll: 20,
  live: true,
  drain: true,
  cpuProf: false,
  profDir: join(ROOT, '.barrage/bench-ingest/prof'),
  // Requests per step per factory per second (uniform in this range) and failure share.
  minReq: 50,
  maxReq: 150,
};
for (const a of process.argv.slice(2)) {
  const [k, v] = a.replace(/^--/, '').split('=');
  if (k === 'heads') opts.heads = v.split(',').map(Number);
  else if (k === 'no-live') opts.live = false;
  else if (k === 'no-drain') opts.drain = false;
  else if (k === 'cpu-prof') opts.cpuProf = true;
  else if (k === 'prof-dir') opts.profDir = v;
  else if (k in opts && typeof opts[k] === 'number') opts[k] = Number(v);
  else {
    console.error(`unknown option ${a}`);
    process.exit(2);
  }
}

for (const f of [CLI, join(ROOT, 'libs/contracts/dist/index.js'), join(ROOT, 'libs/metrics/dist/index.js')]) {
  if (!existsSync(f)) {
    console.error(`${f} is missing: npm run build first`);
    process.exit(2);
  }
}
const { snapshotSchema, chunkEventSchema, redisKeys } = await import(pathToFileURL(join(ROOT, 'libs/contracts/dist/index.js')).href);
const { StepRecorder } = await import(pathToFileURL(join(ROOT, 'libs/metrics/dist/index.js')).href);
const { Redis } = await import('ioredis');
const headRequire = createRequire(join(ROOT, 'apps/head/package.json'));
const pg = (await import(pathToFileURL(headRequire.resolve('pg')).href)).default;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const LOG_DIR = join(ROOT, '.barrage/bench-ingest');
mkdirSync(LOG_DIR, { recursive: true });

// ----- the stack -----
function readStackEnv() {
  const file = join(ROOT, '.barrage/stack.env');
  const env = {};
  if (existsSync(file)) for (const m of readFileSync(file, 'utf8').matchAll(/^(\w+)=(.*)$/gm)) env[m[1]] = m[2].trim();
  return env;
}

async function redisAnswers(url) {
  if (!url) return false;
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
    return true;
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

let stack = { ...readStackEnv(), ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}), ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}) };
if (!(await redisAnswers(stack.REDIS_URL)) || !stack.DATABASE_URL) {
  console.log('starting the local stack (barrage stack up)');
  const r = spawnSync(process.execPath, [CLI, 'stack', 'up'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
  stack = readStackEnv();
}

// ----- heads -----

async function startHead(name) {
  const port = await freePort();
  const nodeArgs = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${opts.profDir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
  if (opts.cpuProf) mkdirSync(opts.profDir, { recursive: true });
  const log = createWriteStream(join(LOG_DIR, `${name}.log`));
  const child = track(spawn(process.execPath, [...nodeArgs, CLI, 'head'], {
    cwd: ROOT,
    env: { ...process.env, ...stack, PORT: String(port), HOST: '127.0.0.1', AUTH_DISABLED: 'true', LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((r) => child.on('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: see ${join(LOG_DIR, `${name}.log`)}`);
    try {
      if ((await fetch(`${base}/health`)).status < 500) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error(`${name} did not answer /health within 60 s`);
    await sleep(100);
  }
  return {
    name,
    base,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

async function api(base, method, path, body) {
  const res = await headApi(base, '')(method, path, body);
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  return res.body;
}

// ----- realistic step data, built once -----
const STEP_NAMES = Array.from({ length: opts.steps }, (_, i) => `step-${String(i).padStart(2, '0')}`);
const VARIANTS = 16;

function lognormal(medianUs, sigma) {
  const u = 1 - Math.random();
  const v = Math.random();
  return medianUs * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

/** For each step, VARIANTS intervals swapped out of a StepRecorder: { json, requests, failures }. */
function buildStepPool() {
  const pool = [];
  for (let s = 0; s < opts.steps; s++) {
    const rec = new StepRecorder(STEP_NAMES[s]);
    const medianUs = 8_000 + 4_000 * s;
    const variants = [];
    for (let v = 0; v < VARIANTS; v++) {
      const n = opts.minReq + Math.floor(Math.random() * (opts.maxReq - opts.minReq + 1));
      // One variant in 8 has a few failures, with samples (as a struggling target gives).
      const failing = v % 8 === 7 ? 1 + Math.floor(Math.random() * 3) : 0;
      for (let i = 0; i < n; i++) {
        const service = lognormal(medianUs, 0.6);
        const latency = service + Math.random() * 500;
        if (i < failing) {
          rec.recordResponse(latency, service, 503, 180, 120, 'http_5xx');
          rec.addSample('http_5xx', `GET http://target.example/api/${STEP_NAMES[s]}`, 503, 'HTTP 503', Date.now());
        } else rec.recordResponse(latency, service, 200, 1200, 120, null);
        rec.recordChecks(1);
        rec.recordTimings(service * 0.9, service * 0.1);
        if (i % 20 === 0) rec.recordConnect(300, 0);
      }
      const data = rec.swap();
      variants.push({ json: JSON.stringify(data), requests: data.requests, failures: data.failures, samples: data.samples.length });
    }
    pool.push(variants);
  }
  return pool;
}

const pool = buildStepPool();
const avgBytes = Math.round(pool.flat().reduce((n, v) => n + v.json.length, 0) / (opts.steps * VARIANTS));

/** One snapshot's stream text, its requests and iterations (the header built by JSON.stringify, the steps pre-serialised). */
function snapshotText(chunk, seq, bucketStart) {
  let requests = 0;
  const steps = [];
  for (let s = 0; s < opts.steps; s++) {
    const v = pool[s][(chunk.index * 7 + seq * 3 + s) % VARIANTS];
    requests += v.requests;
    steps.push(v.json);
  }
  const iterations = pool[0][(chunk.index * 7 + seq * 3) % VARIANTS].requests;
  const head = {
    type: 'snapshot',
    campaignKey: chunk.campaignKey,
    chunkId: chunk.id,
    factoryId: chunk.factoryId,
    run: chunk.run,
    scenario: chunk.scenario,
    zone: chunk.zone,
    seq,
    bucketStart,
    resolutionMs: 1000,
    minionsActive: 40,
    minionsStarted: iterations,
    iterations,
    droppedIterations: 0,
    targetArrivals: iterations,
    maxLagMs: 1.5 + (seq % 5),
    maxLatenessMs: 0.7,
    cpu: 0.35,
    saturated: false,
  };
  const text = `${JSON.stringify(head).slice(0, -1)},"steps":[${steps.join(',')}]}`;
  return { text, requests, iterations };
}

// ----- one phase -----
const redis = new Redis(stack.REDIS_URL, { maxRetriesPerRequest: null });
const db = new pg.Client({ connectionString: stack.DATABASE_URL });
await db.connect();

/** Registers `n` factories of a new zone; keeps their heartbeat until `stop()`. */
async function fakeFactories(n, tag) {
  const zone = `ingest-${tag}`;
  const ids = Array.from({ length: n }, (_, i) => `ingest-${tag}-${String(i).padStart(4, '0')}`);
  const now = new Date().toISOString();
  const record = (id) =>
    JSON.stringify({ id, zone, host: `bench-${id}`, capacity: 100, version: 'bench', runningChunks: [], startedAt: now, heartbeatAt: new Date().toISOString(), health: 'healthy', problems: [] });
  const beat = async () => {
    const m = redis.multi();
    for (const id of ids) m.set(redisKeys.factory(id), record(id), 'PX', 30_000);
    m.sadd(redisKeys.factoryIds, ...ids);
    await m.exec();
  };
  await beat();
  const timer = setInterval(() => void beat().catch(() => undefined), 5_000);
  return {
    zone,
    ids,
    async stop() {
      clearInterval(timer);
      const m = redis.multi();
      for (const id of ids) m.del(redisKeys.factory(id));
      m.srem(redisKeys.factoryIds, ...ids);
      await m.exec();
      // The chunk jobs nobody took: BullMQ's keys of the zone's queue.
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisKeys.prefix}:${redisKeys.zoneQueue(zone)}:*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    },
  };
}

async function xaddEvents(chunks, event, extra = () => ({})) {
  const m = redis.pipeline();
  for (const c of chunks) {
    const e = { type: 'chunk', event, campaignKey: c.campaignKey, chunkId: c.id, factoryId: c.factoryId, run: c.run, host: `bench-${c.factoryId}`, at: Date.now(), ...extra(c) };
    chunkEventSchema.parse(e);
    m.xadd(redisKeys.stream, '*', 'data', JSON.stringify(e));
  }
  await m.exec();
}

async function waitFor(what, check, timeoutMs) {
  const t0 = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Creates a campaign whose N chunks are "run" by fake factories; returns it running. */
async function setUpCampaign(head, tag) {
  const factories = await fakeFactories(opts.factories, tag);
  const scenario = `ingest-${tag}`;
  await api(head.base, 'POST', '/scenarios', {
    name: scenario,
    steps: STEP_NAMES.map((name) => ({ name, method: 'GET', url: `http://127.0.0.1:9/${name}` })),
  });
  const created = await api(head.base, 'POST', '/campaigns', {
    name: `ingest bench ${tag}`,
    startOffsetMs: 0,
    scenarios: { [scenario]: { minionsCount: opts.factories * 10, zones: { [factories.zone]: 100 } } },
    thresholds: { '*': ['p99 < 60000', 'errorRate < 0.5'], [scenario]: ['p95 < 60000'] },
  });
  const key = created.key;
  const execution = await api(head.base, 'GET', `/campaigns/${key}/execution`);
  const list = execution.zones.flatMap((z) => z.chunks);
  if (list.length !== opts.factories) throw new Error(`expected ${opts.factories} chunks, got ${list.length}`);
  // The allocation gives the zone's factories (sorted by id) the chunks in index order.
  const chunks = list.map((k, i) => ({ id: k.id, index: i, campaignKey: key, scenario, zone: factories.zone, factoryId: factories.ids[i], run: randomBytes(4).toString('hex') }));
  await xaddEvents(chunks, 'accepted');
  await xaddEvents(chunks, 'ready', () => ({ clockOffsetMs: 0, clockUncertaintyMs: 0.2, clockBoundMs: 5, preopened: 10 }));
  await xaddEvents(chunks, 'started');
  await waitFor('the campaign to run', async () => (await api(head.base, 'GET', `/campaigns/${key}`)).status === 'running', 60_000);
  return { key, chunks, factories, scenario };
}

/** Polls the receipts of `chunks` every opts.poll ms; `sent` maps `${chunkId}\0${seq}` → XADD time. */
function receiptWatcher(chunks) {
  const sent = new Map();
  const seen = new Map(); // key → when first seen
  const ids = chunks.map((c) => c.id);
  let minOutstanding = 0;
  let stopped = false;
  let polls = 0;
  let pollMs = 0;
  const done = (async () => {
    while (!stopped) {
      const t0 = Date.now();
      const { rows } = await db.query('SELECT chunk_id, seq FROM snapshot_receipts WHERE chunk_id = ANY($1::text[]) AND seq >= $2', [ids, minOutstanding]);
      const now = Date.now();
      polls++;
      pollMs += now - t0;
      for (const r of rows) {
        const k = `${r.chunk_id}\0${r.seq}`;
        if (!seen.has(k)) seen.set(k, now);
      }
      // Seqs below the lowest one still missing are all in: stop asking for them.
      for (;;) {
        let all = sent.size > 0;
        let any = false;
        for (const c of chunks) {
          const k = `${c.id}\0${minOutstanding}`;
          if (!sent.has(k)) continue;
          any = true;
          if (!seen.has(k)) {
            all = false;
            break;
          }
        }
        if (all && any) minOutstanding++;
        else break;
      }
      const wait = opts.poll - (Date.now() - t0);
      if (wait > 0) await sleep(wait);
    }
  })();
  return {
    sent,
    seen,
    complete: () => [...sent.keys()].every((k) => seen.has(k)),
    stats: () => ({ polls, avgPollMs: polls ? pollMs / polls : 0 }),
    async stop() {
      stopped = true;
      await done;
    },
  };
}

function pct(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The requests Postgres holds for a campaign, counted three ways. */
async function countsIn(key, scenario, zone, chunks) {
  const q = async (sql, params) => Number((await db.query(sql, params)).rows[0].n ?? 0);
  return {
    receipts: await q('SELECT count(*) AS n FROM snapshot_receipts WHERE chunk_id = ANY($1::text[])', [chunks.map((c) => c.id)]),
    campaign: await q('SELECT requests AS n FROM campaigns WHERE key = $1', [key]),
    rollup: await q(`SELECT sum(count) AS n FROM intervals WHERE campaign_key = $1 AND scenario = '*' AND step = '*' AND zone = '*'`, [key]),
    steps: await q(`SELECT sum(count) AS n FROM intervals WHERE campaign_key = $1 AND scenario = $2 AND zone = $3 AND step <> '*'`, [key, scenario, zone]),
    iterations: await q('SELECT sum(iterations) AS n FROM chunks WHERE campaign_key = $1', [key]),
  };
}

async function finishCampaign(head, c, seqs, expect) {
  await xaddEvents(c.chunks, 'finished', () => ({ lastSeq: seqs - 1, iterations: expect.iterationsByChunk }));
  const final = await waitFor('the campaign to complete', async () => {
    const s = await api(head.base, 'GET', `/campaigns/${c.key}`);
    return ['completed', 'failed', 'aborted'].includes(s.status) ? s : null;
  }, 120_000);
  const got = await countsIn(c.key, c.scenario, c.factories.zone, c.chunks);
  const want = { receipts: expect.snapshots, campaign: expect.requests, rollup: expect.requests, steps: expect.requests, iterations: expect.iterations };
  const ok = Object.keys(want).every((k) => got[k] === want[k]);
  await api(head.base, 'DELETE', `/campaigns/${c.key}`).catch((e) => console.warn(`could not delete ${c.key}: ${e.message}`));
  await api(head.base, 'DELETE', `/scenarios/${c.scenario}`).catch(() => undefined);
  await c.factories.stop();
  return { ok, got, want, status: `${final.status}/${final.result ?? '-'}` };
}

async function livePhase(heads, tag) {
  const c = await setUpCampaign(heads[0], tag);
  const watch = receiptWatcher(c.chunks);
  let requests = 0;
  let iterations = 0;
  let snapshots = 0;
  // Checked against the contract once per chunk's first snapshot.
  const checked = new Set();
  let next = Math.ceil((Date.now() + 300) / 1000) * 1000;
  const xaddLate = [];
  for (let seq = 0; seq < opts.duration; seq++) {
    await sleep(Math.max(0, next - Date.now()));
    const bucketStart = next - 1000;
    const p = redis.pipeline();
    const texts = [];
    for (const chunk of c.chunks) {
      const s = snapshotText(chunk, seq, bucketStart);
      if (!checked.has(chunk.id)) {
        snapshotSchema.parse(JSON.parse(s.text));
        checked.add(chunk.id);
      }
      requests += s.requests;
      iterations += s.iterations;
      texts.push([chunk.id, s.text]);
    }
    const at = Date.now();
    xaddLate.push(at - next);
    for (const [id, text] of texts) {
      p.xadd(redisKeys.stream, '*', 'data', text);
      watch.sent.set(`${id}\0${seq}`, at);
    }
    snapshots += texts.length;
    await p.exec();
    next += 1000;
  }
  const sentEnd = Date.now();
  await waitFor('every snapshot to merge', async () => watch.complete(), 120_000).catch((e) => console.warn(e.message));
  await watch.stop();
  const lags = [...watch.sent].map(([k, at]) => (watch.seen.get(k) ?? Number.POSITIVE_INFINITY) - at).sort((a, b) => a - b);
  const lastSeen = Math.max(...watch.seen.values());
  // Merged per second over the run: receipts seen per wall-clock second.
  const firstAt = Math.min(...watch.sent.values());
  const perSecond = new Map();
  for (const t of watch.seen.values()) perSecond.set(Math.floor((t - firstAt) / 1000), (perSecond.get(Math.floor((t - firstAt) / 1000)) ?? 0) + 1);
  const iterationsByChunk = 0; // the finished event's count is informational
  const check = await finishCampaign(heads[0], c, opts.duration, { snapshots, requests, iterations, iterationsByChunk });
  return {
    snapshots,
    requests,
    p50: pct(lags, 50),
    p99: pct(lags, 99),
    max: lags[lags.length - 1],
    offered: snapshots / ((sentEnd - firstAt) / 1000 + 0.001),
    merged: snapshots / ((lastSeen - firstAt) / 1000),
    bestSecond: Math.max(...perSecond.values()),
    drainAfterLastMs: lastSeen - sentEnd,
    xaddLateMax: Math.max(...xaddLate),
    poll: watch.stats(),
    check,
  };
}

async function drainPhase(heads, tag) {
  const c = await setUpCampaign(heads[0], tag);
  const watch = receiptWatcher(c.chunks);
  let requests = 0;
  let iterations = 0;
  let snapshots = 0;
  const base = Math.floor(Date.now() / 1000) * 1000 - opts.backlog * 1000;
  const t0 = Date.now();
  for (let seq = 0; seq < opts.backlog; seq++) {
    const p = redis.pipeline();
    const at = Date.now();
    for (const chunk of c.chunks) {
      const s = snapshotText(chunk, seq, base + seq * 1000);
      requests += s.requests;
      iterations += s.iterations;
      p.xadd(redisKeys.stream, '*', 'data', s.text);
      watch.sent.set(`${chunk.id}\0${seq}`, at);
      snapshots++;
    }
    await p.exec();
  }
  const xaddMs = Date.now() - t0;
  await waitFor('every snapshot to merge', async () => watch.complete(), 600_000).catch((e) => console.warn(e.message));
  await watch.stop();
  const times = [...watch.seen.values()].sort((a, b) => a - b);
  const at10 = pct(times, 10);
  const at90 = pct(times, 90);
  const rate = (0.8 * times.length) / ((at90 - at10) / 1000);
  const check = await finishCampaign(heads[0], c, opts.backlog, { snapshots, requests, iterations, iterationsByChunk: 0 });
  return { snapshots, requests, xaddMs, rate, totalMs: times[times.length - 1] - t0, poll: watch.stats(), check };
}

// ----- main -----
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
console.log(`ingest bench: ${opts.factories} factories × ${opts.steps} steps, 1 s resolution; live ${opts.duration} s, backlog ${opts.factories} × ${opts.backlog}; snapshot ≈ ${fmt((avgBytes * opts.steps) / 1024, 1)} KiB; receipts polled every ${opts.poll} ms`);
console.log(`node ${process.version}, ${new Date().toISOString()}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
const results = [];
let failed = false;
for (const n of opts.heads) {
  const tag = randomBytes(3).toString('hex');
  const heads = [];
  try {
    for (let i = 0; i < n; i++) heads.push(await startHead(`head${n}-${i}-${tag}`));
    const r = { heads: n };
    if (opts.live) {
      r.live = await livePhase(heads, `${tag}l`);
      const l = r.live;
      console.log(`${n} head(s) live: ${l.snapshots} snapshots (${l.requests} requests) offered at ${fmt(l.offered, 1)}/s; lag p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms; merged ${fmt(l.merged, 1)}/s overall, best second ${l.bestSecond}; last merged ${l.drainAfterLastMs} ms after the last XADD; exactly once: ${l.check.ok ? 'ok' : `MISMATCH got ${JSON.stringify(l.check.got)} want ${JSON.stringify(l.check.want)}`} (${l.check.status})`);
      if (!l.check.ok) failed = true;
    }
    if (opts.drain) {
      r.drain = await drainPhase(heads, `${tag}d`);
      const d = r.drain;
      console.log(`${n} head(s) drain: ${d.snapshots} snapshots XADDed in ${d.xaddMs} ms; merged ${fmt(d.rate, 1)} snapshots/s (10–90 %), all in ${d.totalMs} ms; exactly once: ${d.check.ok ? 'ok' : `MISMATCH got ${JSON.stringify(d.check.got)} want ${JSON.stringify(d.check.want)}`} (${d.check.status})`);
      if (!d.check.ok) failed = true;
    }
    results.push(r);
  } finally {
    const codes = await Promise.all(heads.map((h) => h.stop()));
    if (codes.some((c) => c !== 0)) console.warn(`head exit codes: ${codes.join(', ')} (logs in ${LOG_DIR})`);
  }
}

console.log('\n| heads | live lag p50 | live lag p99 | live max | merged/s (live) | most merged/s (backlog) | exactly once |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results) {
  const l = r.live;
  const d = r.drain;
  console.log(`| ${r.heads} | ${l ? `${l.p50} ms` : '–'} | ${l ? `${l.p99} ms` : '–'} | ${l ? `${l.max} ms` : '–'} | ${l ? fmt(l.merged, 1) : '–'} | ${d ? fmt(d.rate, 1) : '–'} | ${[l, d].filter(Boolean).every((x) => x.check.ok) ? 'yes' : 'NO'} |`);
}
if (opts.cpuProf) console.log(`CPU profiles in ${opts.profDir}`);
await db.end();
redis.disconnect();
process.exit(failed ? 1 : 0);
