/**
 * A factory's chunk runner on real Redis against a counting target: the plan is a function
 * of time since the start instant, so a chunk taken late joins at the current offset.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { randomUUID } from 'node:crypto';
import { executionProfileSchema, planLines, planRate, type ClosedProfile, type OpenProfile } from '@barrage/planning';
import { redisKeys, scenarioSchema, type ChunkJob } from '@barrage/contracts';
import { ClusterClock } from '../apps/factory/src/clock';
import { Publisher } from '../apps/factory/src/publisher';
import { ChunkRunner } from '../apps/factory/src/runner/chunk-runner';
import { startTarget, type RunningTarget } from '../apps/cli/src/target';
import { requireEnv } from './support/cluster';

jest.setTimeout(60_000);

let redis: Redis;
let target: RunningTarget;
const clock = new ClusterClock();

beforeAll(async () => {
  redis = new Redis(requireEnv().REDIS_URL, { maxRetriesPerRequest: null });
  await clock.sync(redis);
  target = await startTarget({ recordArrivals: true });
});

afterAll(async () => {
  await target.close();
  await redis.quit();
});

function job(profileInput: unknown, extra: Partial<ChunkJob> = {}): ChunkJob {
  const profile = executionProfileSchema.parse(profileInput);
  const open = profile.profile === 'CONSTANT_RATE' || profile.profile === 'RAMPING_RATE';
  const campaignKey = `join-${randomUUID().slice(0, 8)}`;
  return {
    campaignKey,
    chunkId: `${campaignKey}:s:z:0`,
    scenarioName: 's',
    zone: 'z',
    scenario: scenarioSchema.parse({ name: 's', steps: [{ name: 'hit', url: `${target.url}/hit` }] }),
    scenarioVersion: 1,
    variables: {},
    profile,
    lines: open ? null : planLines(profile as ClosedProfile, 10, 1),
    rate: open ? planRate(profile as OpenProfile, 1) : null,
    share: { levels: [{ weights: [1], index: 0 }] },
    minions: 0,
    resolutionMs: 1000,
    endMs: null,
    timeoutMs: null,
    hardTimeout: false,
    completion: 'GRACEFUL',
    replay: false,
    maxInFlight: open ? 100 : null,
    ...extra,
  };
}

async function runWithStart(j: ChunkJob, startAt: number) {
  await redis.hset(redisKeys.control(j.campaignKey), 'startAt', String(startAt));
  const publisher = new Publisher(redis);
  const runner = new ChunkRunner(j, { clock, publisher, redis, announcements: null, factoryId: 'test', host: 'test', log: pino({ level: 'silent' }) });
  const outcome = await runner.run();
  await publisher.flush();
  await redis.del(redisKeys.control(j.campaignKey));
  return outcome;
}

beforeEach(() => target.reset());

it('an open-model chunk taken 1.5 s late sends only the arrivals still ahead of it', async () => {
  const j = job({ profile: 'CONSTANT_RATE', rate: 100, durationMs: 3000, maxInFlight: 50 });
  const startAt = clock.now() - 1500;
  const outcome = await runWithStart(j, startAt);
  // 300 arrivals, one every 10 ms. The chunk joins at the offset J it was accepted at
  // (>= 1,500 ms, later on a busy machine) and still sends what was due up to 100 ms before J
  // (CATCH_UP_MS); those due earlier belonged to the factory it replaces. So it sends at most
  // the 160 due from 1,400 ms, and every arrival from its first one on.
  const earliest = Math.min(...target.stats.arrivals.map((a) => a.at)) - startAt;
  expect(earliest).toBeGreaterThanOrEqual(1400);
  expect(earliest).toBeLessThan(2000); // joined within half a second of being taken
  expect(target.stats.total).toBeLessThanOrEqual(160);
  expect(target.stats.total).toBeGreaterThanOrEqual(300 - Math.ceil(earliest / 10));
  expect(outcome.iterations).toBe(target.stats.total);
  expect(outcome.droppedIterations).toBe(0);
});

it('an open-model chunk on time sends every arrival of its plan', async () => {
  const j = job({ profile: 'CONSTANT_RATE', rate: 200, durationMs: 1000, maxInFlight: 50 });
  const outcome = await runWithStart(j, clock.now() + 200);
  expect(target.stats.total).toBe(200);
  expect(outcome.iterations).toBe(200);
});

it('a closed-model chunk taken late starts the minions of past lines at once and the rest on time', async () => {
  // 10 minions: lines of 2 at 0, 500, 1000, 1500, 2000 ms
  const j = job({ profile: 'REGULAR', periodInMs: 500, minionsCountProLaunch: 2 });
  expect(j.lines!.map((l) => l.atMs)).toEqual([500, 1000, 1500, 2000, 2500]);
  const startAt = clock.now() - 1200;
  await runWithStart(j, startAt);
  const rel = target.stats.arrivals.map((a) => a.at - startAt).sort((a, b) => a - b);
  expect(rel).toHaveLength(10);
  // the lines at 500 and 1000 are past: 4 minions at once when the chunk joins (at 1,200 ms,
  // later on a busy machine); then 1500, 2000, 2500 on time, each line still ahead of the join
  const joined = rel[0]!;
  expect(joined).toBeGreaterThanOrEqual(1150);
  expect(joined).toBeLessThan(1450);
  expect(rel[3]! - joined).toBeLessThan(100);
  for (const [i, at] of [[4, 1500], [6, 2000], [8, 2500]] as const) {
    if (at < joined + 100) continue; // joined so late that this line was past too
    expect(rel[i]! - at).toBeGreaterThanOrEqual(-5);
    expect(rel[i + 1]! - at).toBeLessThan(150);
  }
});

it('a RAMPING_RATE chunk sends exactly the arrivals of its ramps, rising as planned', async () => {
  // 0 → 400/s over 1 s (200 arrivals), then 400/s for 1 s (400 arrivals)
  const j = job({ profile: 'RAMPING_RATE', startRate: 0, stages: [{ targetRate: 400, durationMs: 1000 }, { targetRate: 400, durationMs: 1000 }], maxInFlight: 50 });
  const startAt = clock.now() + 200;
  const outcome = await runWithStart(j, startAt);
  expect(target.stats.total).toBe(600);
  expect(outcome.iterations).toBe(600);
  const rel = target.stats.arrivals.map((a) => a.at - startAt);
  // a linear ramp puts a quarter of its arrivals in its first half
  const firstHalf = rel.filter((t) => t < 500).length;
  expect(Math.abs(firstHalf - 50)).toBeLessThanOrEqual(5);
  expect(Math.abs(rel.filter((t) => t < 1000).length - 200)).toBeLessThanOrEqual(5);
});

