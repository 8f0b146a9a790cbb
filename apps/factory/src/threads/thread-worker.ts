/**
 * A worker thread's side of a chunk (`barrage factory --threads`): a ChunkRunner on this
 * thread's part of the chunk, with its own clock, Redis connections (control, data rows),
 * sockets and histograms. Snapshots, events and progress go to the factory's main thread,
 * which merges them into the chunk's one run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { factoryConfigSchema, loadConfig, loggerSettings } from '@barrage/config';
import type { Snapshot } from '@barrage/contracts';
import { ClusterClock } from '../clock.js';
import { ControlAnnouncements } from '../control.js';
import { ChunkRunner } from '../runner/chunk-runner.js';
import type { FromThread, ThreadStart, ToThread } from './protocol.js';

async function main(): Promise<void> {
  const port = parentPort!;
  const start = workerData as ThreadStart;
  const send = (m: FromThread) => port.postMessage(m);
  const config = loadConfig(factoryConfigSchema, start.env);
  const log = pino(loggerSettings(start.env)).child({ factory: start.factoryId, zone: config.ZONE, campaign: start.job.campaignKey, thread: start.thread });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  for (const c of [redis, subscriber]) c.on('error', (e) => log.warn({ err: e.message }, 'redis connection error'));
  const announcements = new ControlAnnouncements(subscriber);
  const clock = new ClusterClock(config.CLOCK_SKEW_MS);
  const clockTimer = setInterval(() => void clock.sync(redis).catch(() => undefined), config.CLOCK_SYNC_MS);
  try {
    await announcements.start();
    await clock.sync(redis).catch(() => undefined);
    // The runner hands over its snapshot, then the progress written after it: one message.
    let snapshot: Snapshot | null = null;
    const runner = new ChunkRunner(start.job, {
      clock,
      publisher: { event: (event) => send({ type: 'event', event }), snapshot: (s) => void (snapshot = s) },
      redis,
      announcements,
      factoryId: start.factoryId,
      run: start.run,
      host: start.host,
      log,
      clockBoundMs: config.CLOCK_MAX_UNCERTAINTY_MS,
      secretsKey: config.SECRETS_KEY,
      allowList: config.TARGET_ALLOWLIST,
      readyDelayMs: config.READY_DELAY_MS,
      thread: {
        chunkShare: start.chunkShare,
        progress: (progress) => {
          if (snapshot) send({ type: 'snapshot', snapshot, progress });
          snapshot = null;
        },
      },
    });
    port.on('message', (m: ToThread) => {
      if (m.type === 'handBack') runner.handBack();
      else if (m.type === 'abort') runner.abort();
      else runner.supersede(m.owner);
    });
    log.info({ chunk: start.job.chunkId, share: start.job.share.levels.at(-1) }, 'chunk thread running its part');
    send({ type: 'outcome', outcome: await runner.run() });
  } catch (e) {
    send({ type: 'failed', error: (e as Error).message });
  } finally {
    clearInterval(clockTimer);
    await Promise.allSettled([redis.quit(), announcements.close()]);
    port.close();
  }
}

void main();
