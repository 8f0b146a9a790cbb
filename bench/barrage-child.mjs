// One Barrage ChunkRunner in its own process (run.mjs pins it to core 0), as a factory runs a
// chunk, minus BullMQ: the job is built here and validated with the contracts' schema, the
// start instant is written to the campaign's control hash (on Redis's clock) once the chunk is ready, the runner
// publishes its snapshots to the Redis stream. Prints one JSON line: the ChunkOutcome, the
// run's window on the cluster clock, and the process's peak RSS.
//
//   node bench/barrage-child.mjs '<json options>'
//   options: { redisUrl, campaignKey, url, mode: 'closed' | 'open', minions, durationMs,
//              rate, maxInFlight, leadMs, checks, heapSample, heapGrowthPercent }
//   heapGrowthPercent: the factory's HEAP_GROWTH_PERCENT (its default when absent; 0: V8's own).
//   checks: the step checks its status and body (the body is kept and read), as a user's
//   scenario with checks would; without it the step has none (the fastest path).
import { importDist, importFactoryDep } from './lib.mjs';

const opts = JSON.parse(process.argv[2]);
const { Redis } = await importFactoryDep('ioredis');
const { pino } = await importFactoryDep('pino');
const { chunkJobSchema, redisKeys } = await importDist('libs/contracts/dist/index.js');
const { planRate, planEndMs, totalArrivals } = await importDist('libs/planning/dist/index.js');
const { ClusterClock } = await importDist('apps/factory/dist/clock.js');
const { Publisher } = await importDist('apps/factory/dist/publisher.js');
const { ChunkRunner } = await importDist('apps/factory/dist/runner/chunk-runner.js');

// As a factory does when it accepts a chunk (apps/factory/src/heap.ts): V8's old-generation growth for it.
let heldHeap = (_job) => false;
const heapModule = await (async () => importDist('apps/factory/dist/heap.js'))().catch(() => null); // absent from builds before it
if (heapModule) {
  const { factoryConfigSchema } = await importDist('libs/config/dist/index.js');
  const growth = new heapModule.HeapGrowth(opts.heapGrowthPercent ?? factoryConfigSchema.shape.HEAP_GROWTH_PERCENT.parse(undefined));
  heldHeap = (job) => growth.apply([job]);
}

const checks = opts.checks ? { checks: [{ status: [200] }, { bodyContains: 'ok' }] } : {};
const scenario = { name: 'bench', steps: [{ name: 'get', method: 'GET', url: opts.url, ...checks }] };
const share = { levels: [{ weights: [1], index: 0 }] };
const base = {
  campaignKey: opts.campaignKey,
  chunkId: `${opts.campaignKey}:bench:local:0`,
  scenarioName: 'bench',
  zone: 'local',
  scenario,
  scenarioVersion: 1,
  variables: {},
  share,
  resolutionMs: 1000,
  completion: 'GRACEFUL',
};

let raw;
if (opts.mode === 'closed') {
  raw = {
    ...base,
    profile: { profile: 'IMMEDIATELY' },
    lines: [{ atMs: 0, count: opts.minions }],
    rate: null,
    minions: opts.minions,
    endMs: null,
    timeoutMs: opts.durationMs,
    hardTimeout: false,
    replay: true,
    maxInFlight: null,
  };
} else {
  const profile = { profile: 'CONSTANT_RATE', rate: opts.rate, durationMs: opts.durationMs, maxInFlight: opts.maxInFlight };
  const rate = planRate(profile, 1);
  raw = {
    ...base,
    profile,
    lines: null,
    rate,
    minions: totalArrivals(rate),
    endMs: planEndMs(profile, 1),
    timeoutMs: null,
    hardTimeout: false,
    replay: false,
    maxInFlight: opts.maxInFlight,
  };
}
const job = chunkJobSchema.parse(raw);
heldHeap(job);

const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
const clock = new ClusterClock();
await clock.sync(redis);
const publisher = new Publisher(redis, 50_000, (e) => process.stderr.write(`publish failed: ${e}\n`));
const log = pino({ level: 'silent' });
// No control announcements (pub/sub): the ControlWatcher's poll finds the start instant.
// As a factory does at boot (apps/factory/src/factory.ts): the request path warmed in-process.
const { warmUp } = await importDist('apps/factory/dist/runner/warm-up.js');
const warm = await warmUp(clock);
const runner = new ChunkRunner(job, { clock, publisher, redis, announcements: null, factoryId: 'bench', host: 'bench', log });

// As the head does: the start instant is fixed once the chunk says it is ready (its warm-up run,
// the first second's sockets open), on an interval boundary far enough ahead for the 100 ms
// control poll. Fixed before the chunk is ready, the runner would take it for a takeover when
// less than a second ahead and skip the warm-up (a cold first second), or warm into it.
const controlKey = redisKeys.control(opts.campaignKey);
let startAt = 0;
const publish = publisher.event.bind(publisher);
publisher.event = (e) => {
  publish(e);
  if (e.event !== 'ready') return;
  startAt = Math.ceil((clock.now() + (opts.leadMs ?? 1200)) / 1000) * 1000;
  redis.hset(controlKey, 'startAt', String(startAt)).catch((err) => {
    process.stderr.write(`fixing the start instant failed: ${err}\n`);
    process.exit(1);
  });
};

let heap = null;
if (opts.heapSample) {
  const { Session } = await import('node:inspector/promises');
  heap = new Session();
  heap.connect();
  await heap.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: opts.heapSampleMinor === true });
}
const cpu0 = process.cpuUsage();
// The runner starts only once it has read the instant, so `startAt` is set when this returns.
const outcome = await runner.run();
if (heap) {
  const { profile } = await heap.post('HeapProfiler.stopSampling');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(opts.heapSample, JSON.stringify(profile));
  heap.disconnect();
}
const endAt = clock.now();
const cpu = process.cpuUsage(cpu0);
await publisher.flush();
await redis.del(controlKey);
await redis.quit();

const result = {
  outcome,
  startAt,
  endAt,
  elapsedMs: endAt - startAt,
  cpuMs: (cpu.user + cpu.system) / 1000,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  publishDropped: publisher.dropped,
  clockRttMs: clock.rttMs,
  warmUp: warm,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
