import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { factoryConfigSchema, loadConfig, loggerSettings, type FactoryConfig } from '@barrage/config';
import { chunkJobSchema, redisKeys, type ChunkJob } from '@barrage/contracts';
import { ClusterClock } from './clock.js';
import { ControlAnnouncements } from './control.js';
import { Publisher } from './publisher.js';
import { FactoryMetrics } from './metrics.js';
import { Registration } from './registry.js';
import { ChunkRunner, type ChunkOutcome } from './runner/chunk-runner.js';
import { warmUp } from './runner/warm-up.js';
import { ThreadedChunk } from './threads/threaded-chunk.js';
import { autoThreads } from './threads/auto.js';
import { HELD_FROM_MINIONS, HeapGrowth } from './heap.js';
import { widenInlining } from './jit.js';
import { within } from './within.js';

export const FACTORY_VERSION = '0.1.0';

/** How long a stopping factory waits for Redis at each step once its chunks are done. */
const REDIS_SHUTDOWN_MS = 3000;

/** QUIT, or the connection dropped when Redis does not answer it within `ms`. */
async function quitOrDrop(conn: Redis, ms: number): Promise<void> {
  if ((await within(ms, conn.quit())) === undefined) conn.disconnect();
}

/** A chunk this factory runs: on its main thread (ChunkRunner) or on worker threads (ThreadedChunk). */
type RunningChunk = Pick<ChunkRunner, 'job' | 'minionsActive' | 'run' | 'handBack' | 'abort'>;

export interface RunningFactory {
  id: string;
  /** Stops taking jobs, lets running chunks finish within the grace period, flushes, deregisters. */
  close(): Promise<void>;
}

/** Starts a factory: registers it, syncs its clock, and consumes the chunk queue of its zone. */
export async function startFactory(env: Record<string, string | undefined>, baseLog: Logger = pino(loggerSettings(env))): Promise<RunningFactory> {
  const config: FactoryConfig = loadConfig(factoryConfigSchema, env);
  widenInlining();
  const id = config.FACTORY_ID ?? `${config.ZONE}-${randomUUID().slice(0, 8)}`;
  const host = config.HOSTNAME ?? hostname();
  // Every line of this factory says which one it is and where.
  const log = baseLog.child({ factory: id, zone: config.ZONE });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const workerConn = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  for (const c of [redis, workerConn, subscriber]) c.on('error', (e) => log.warn({ err: e.message }, 'redis connection error'));

  const announcements = new ControlAnnouncements(subscriber);
  await announcements.start();
  // CLOCK_SKEW_MS (tests only) makes this factory's own clock wrong; the sync corrects it.
  const clock = new ClusterClock(config.CLOCK_SKEW_MS);
  await clock.sync(redis);
  const clockBoundMs = config.CLOCK_MAX_UNCERTAINTY_MS;
  const clockTimer = setInterval(() => void clock.sync(redis).catch(() => undefined), config.CLOCK_SYNC_MS);
  if (config.WARM_UP_REQUESTS > 0) {
    const warm = await warmUp(clock, { requests: config.WARM_UP_REQUESTS });
    log.info({ requests: warm.requests, ms: Math.round(warm.ms) }, 'request path warmed up (in-process, no traffic out)');
  }
  const publisher = new Publisher(redis, 50_000, (e) => log.warn({ err: e }, 'snapshot publish failed'));
  const threads = config.THREADS === 'auto' ? autoThreads() : Number(config.THREADS);
  const runners = new Map<string, RunningChunk>();
  const heapGrowth = new HeapGrowth(config.HEAP_GROWTH_PERCENT);
  /** After a chunk comes or goes: V8's old-generation growth for what now runs (heap.ts). */
  const governHeap = () => {
    if (!heapGrowth.apply([...runners.values()].map((r) => r.job))) return;
    const held = heapGrowth.percentNow;
    log.info({ heapGrowthPercent: held || null }, held ? `${HELD_FROM_MINIONS}+ closed-model minions: old generation held to ${held} % growth` : "old generation's growth back to V8's own");
  };
  /** What each running chunk will end with, by chunk id (a redelivery to this factory waits for it). */
  const outcomes = new Map<string, Promise<ChunkOutcome>>();
  const redelivered = new Set<string>();
  const metrics = new FactoryMetrics({
    chunks: () => runners.size,
    active: () => [...runners.values()].reduce((n, r) => n + r.minionsActive, 0),
    unsent: () => publisher.unsent,
    droppedMessages: () => publisher.dropped,
  });
  publisher.onDropping = (n) => log.error({ dropped: n }, 'snapshot buffer full (Redis unreachable too long): dropping snapshots; the report will miss them');
  publisher.onSnapshot = (s) => metrics.observe(s);
  const registration = new Registration(redis, { id, zone: config.ZONE, host, capacity: config.CAPACITY, version: FACTORY_VERSION }, config.HEARTBEAT_MS, () => [...runners.keys()], () => clock.state(clockBoundMs), log);
  metrics.health = () => registration.health();

  const processChunk = async (job: Job<ChunkJob>, token?: string) => {
    const parsed = chunkJobSchema.safeParse(job.data);
    if (!parsed.success) {
      // A job this factory cannot read (another version's?) fails for good, and says why.
      const error = `unreadable chunk job: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      const raw = job.data as Partial<ChunkJob>;
      publisher.event({ event: 'failed', campaignKey: String(raw.campaignKey), chunkId: String(raw.chunkId), factoryId: id, run: '', host, at: Math.round(clock.now()), error });
      throw new UnrecoverableError(error);
    }
    const data = parsed.data;
    // Every line about this chunk, the runner's included, names its campaign.
    const chunkLog = log.child({ campaign: data.campaignKey });
    // This factory runs the chunk already: its lock expired while Redis was unreachable and
    // BullMQ handed it out again, to us. The run carries on; this delivery waits for it.
    const current = outcomes.get(data.chunkId);
    if (current) {
      chunkLog.warn({ chunk: data.chunkId }, 'chunk redelivered to the factory that runs it (lock expired while Redis was away): the running run carries on');
      redelivered.add(data.chunkId);
      return current;
    }
    // At most one chunk of a campaign per factory while the campaign is being allocated: the
    // others are meant for the zone's other factories. Once it has started, every chunk was
    // accepted, so a chunk back in the queue is a takeover (its factory died or shut down),
    // and any factory of the zone may run it beside its own.
    if ([...runners.values()].some((r) => r.job.campaignKey === data.campaignKey) && !(await redis.hexists(redisKeys.control(data.campaignKey), 'startAt'))) {
      await job.moveToDelayed(Date.now() + 250, token);
      throw new DelayedError();
    }
    const run = randomUUID().slice(0, 8);
    const base = { campaignKey: data.campaignKey, chunkId: data.chunkId, factoryId: id, run, host };
    let runner: RunningChunk;
    try {
      runner = threads > 1
        ? new ThreadedChunk(data, { threads, env, publisher, redis, factoryId: id, run, host, log: chunkLog })
        : new ChunkRunner(data, { clock, publisher, redis, announcements, factoryId: id, run, host, log: chunkLog, clockBoundMs, secretsKey: config.SECRETS_KEY, allowList: config.TARGET_ALLOWLIST, readyDelayMs: config.READY_DELAY_MS });
    } catch (e) {
      // A chunk this factory cannot run at all (its secrets do not open here): the campaign says why.
      chunkLog.error({ err: (e as Error).message, chunk: data.chunkId }, 'chunk refused');
      publisher.event({ ...base, event: 'failed', at: Math.round(clock.now()), error: (e as Error).message });
      throw e;
    }
    runners.set(data.chunkId, runner);
    governHeap();
    publisher.event({ ...base, event: 'accepted', at: Math.round(clock.now()) });
    chunkLog.info({ chunk: data.chunkId, run, minions: data.minions, attempt: job.attemptsStarted, ...(runner instanceof ThreadedChunk ? { threads: runner.threads } : {}) }, 'chunk accepted');
    const running = runner.run();
    outcomes.set(data.chunkId, running);
    try {
      const out = await running;
      if (out.handedBack) {
        // Back to the zone's queue, where another factory continues it from its progress.
        publisher.event({ ...base, event: 'handed_back', at: Math.round(clock.now()), lastSeq: out.lastSeq, iterations: out.iterations });
        await publisher.flush();
        await job.moveToWait(token);
        chunkLog.info({ chunk: data.chunkId, ...out }, 'chunk handed back');
        throw new WaitingError();
      }
      if (out.superseded) {
        // Another run owns the chunk (and its BullMQ lock): this one only reports its end.
        publisher.event({ ...base, event: 'superseded', at: Math.round(clock.now()), lastSeq: out.lastSeq, iterations: out.iterations });
        chunkLog.warn({ chunk: data.chunkId, ...out }, 'chunk superseded');
        throw new DelayedError(); // BullMQ leaves the job alone: its lock is the other run's
      }
      publisher.event({ ...base, event: 'finished', at: Math.round(clock.now()), lastSeq: out.lastSeq, iterations: out.iterations, ...(out.rowsExhausted ? { rowsExhausted: true } : {}) });
      chunkLog.info({ chunk: data.chunkId, ...out }, 'chunk finished');
      // Redelivered meanwhile: the job's lock is the new delivery's, which completes it.
      if (redelivered.delete(data.chunkId)) throw new DelayedError();
      return out;
    } catch (e) {
      if (e instanceof WaitingError || e instanceof DelayedError) throw e;
      chunkLog.error({ err: e, chunk: data.chunkId }, 'chunk failed');
      publisher.event({ ...base, event: 'failed', at: Math.round(clock.now()), error: (e as Error).message });
      throw e;
    } finally {
      // A chunk redelivered to this same factory (its lock expired while Redis was away) runs
      // under the same id: only the entry of this run is removed.
      if (runners.get(data.chunkId) === runner) runners.delete(data.chunkId);
      if (outcomes.get(data.chunkId) === running) outcomes.delete(data.chunkId);
      governHeap();
    }
  };

  const worker = new Worker<ChunkJob>(redisKeys.zoneQueue(config.ZONE), processChunk, {
    connection: workerConn,
    prefix: redisKeys.prefix,
    concurrency: config.MAX_CHUNKS,
    // A chunk runs for the whole campaign; the lock is renewed every lockDuration/2 while it
    // runs, so a dead factory's chunk is found stalled by another worker of the zone within
    // lockDuration + stalledInterval (≤ 6 s) and continued there (docs/architecture.md#lost-factory). A rolling
    // restart may stall one chunk several times: it is never failed for it.
    lockDuration: 4_000,
    stalledInterval: 2_000,
    maxStalledCount: 1_000,
  });
  worker.on('error', (e) => log.warn({ err: e.message }, 'worker error'));
  await worker.waitUntilReady();
  // Scrapable before the head lists it: whoever waits for the registration (a test, an
  // operator's script) may scrape at once, and the server's thread takes a while to start.
  const metricsPort = config.METRICS_PORT === undefined ? null : await metrics.listen(config.METRICS_PORT, undefined, (reason) => log.error({ reason }, 'metrics server lost: /metrics and /health no longer answer'));
  await registration.start();
  log.info({ id, zone: config.ZONE, capacity: config.CAPACITY, threads, clockRttMs: clock.rttMs, clock: clock.state(clockBoundMs), metricsPort }, 'factory ready');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      log.info({ running: runners.size }, 'factory stopping: handing its chunks back');
      // No new job; running chunks drain, flush and go back to the queue for the zone's
      // other factories. Past the grace period they are cut.
      const closed = worker.close().then(() => true);
      const running = runners.size;
      for (const r of runners.values()) r.handBack();
      const grace = setTimeout(() => {
        for (const r of runners.values()) r.abort();
      }, config.SHUTDOWN_GRACE_MS);
      // Whatever waits on Redis is bounded, and not waited on at all while it is down: ioredis
      // holds a command until Redis is back, and a SIGTERM'd factory stayed alive until it was
      // killed. Chunks still get their grace period.
      const redisWait = () => (redis.status === 'ready' ? REDIS_SHUTDOWN_MS : 0);
      const drained = await within((running > 0 ? config.SHUTDOWN_GRACE_MS : 0) + redisWait(), closed);
      clearTimeout(grace);
      clearInterval(clockTimer);
      const flushed = await within(redisWait(), publisher.flush().then(() => true));
      await within(redisWait(), registration.stop().catch(() => undefined));
      await metrics.close();
      await Promise.allSettled([quitOrDrop(redis, redisWait()), quitOrDrop(workerConn, redisWait()), within(redisWait(), announcements.close())]);
      if (!flushed || (running > 0 && !drained)) {
        // Its registration expires and the head takes its chunks back from their last snapshots.
        log.warn({ chunks: running, handedBack: Boolean(drained), snapshotsFlushed: Boolean(flushed) }, 'Redis did not answer while the factory stopped');
      }
      log.info('factory stopped');
    })());
  return { id, close };
}
