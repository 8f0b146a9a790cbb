import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { ACTIVE_STATUSES } from '@barrage/contracts';
import type { HeadConfig } from '@barrage/config';
import { RedisService } from '../infra/redis.service.js';
import { QueuesService } from '../infra/queues.service.js';
import { ControlService } from '../infra/control.service.js';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import { CampaignsRepository } from './campaigns.repository.js';
import type { Campaign, Chunk } from '../generated/prisma/client.js';
import { ThresholdsService } from '../results/thresholds.service.js';
import { FactoriesService } from '../factories/factories.service.js';

const DONE_CHUNK = new Set(['finished', 'failed']);
/**
 * How long a chunk whose factory vanished waits to be taken over while its zone still has a
 * live factory: BullMQ finds the job stalled within lockDuration + stalledInterval (≤ 6 s,
 * apps/factory/src/factory.ts); past this, the share is counted as lost for good.
 */
const TAKEOVER_GRACE_MS = 15_000;
/**
 * A factory missing from the registry is suspected first and declared gone only this much
 * later: a factory that shuts down deregisters right after sending its hand-back, which
 * ingest may not have merged yet.
 */
const LOST_CONFIRM_MS = 2_000;
/** Chunks no factory runs: their factory vanished, or shut down and handed them back. */
const ORPHAN = new Set(['lost', 'handed_back']);

/**
 * The campaign state machine (docs/architecture.md#campaign-states): a periodic tick on every head. Each step is a
 * conditional update, so several heads ticking at once move a campaign exactly once.
 */
@Injectable()
export class OrchestratorService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  /** Chunk id → when its factory was first seen missing (this head's view; see LOST_CONFIRM_MS). */
  private readonly suspects = new Map<string, number>();

  constructor(
    private readonly redis: RedisService,
    private readonly queues: QueuesService,
    private readonly control: ControlService,
    private readonly repo: CampaignsRepository,
    private readonly thresholds: ThresholdsService,
    private readonly factories: FactoriesService,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), 250);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const campaigns = await this.repo.activeWithChunks(ACTIVE_STATUSES);
      for (const c of campaigns) await this.advance(c, c.chunks).catch((e) => this.log.error({ err: e, campaign: c.key }, 'orchestration step failed'));
    } catch (e) {
      this.log.warn({ err: e }, 'orchestrator tick failed');
    } finally {
      this.ticking = false;
    }
  }

  private async advance(c: Campaign, chunks: Chunk[]): Promise<void> {
    const now = Date.now();
    switch (c.status) {
      case 'queued':
      case 'initializing': {
        const waiting = chunks.filter((k) => k.status === 'queued');
        if (waiting.length === 0) {
          // Every chunk accepted: the start instant waits for each to be ready too (bounded).
          const notReady = chunks.filter((k) => k.readyAt === null && k.status === 'accepted');
          const acceptedAll = Math.max(...chunks.map((k) => k.acceptedAt?.getTime() ?? 0));
          if (notReady.length && now - acceptedAll < this.config.START_READY_TIMEOUT_MS) return;
          return c.manualStart ? this.markReady(c, notReady) : this.start(c, notReady);
        }
        if (now - c.createdAt.getTime() > this.config.ALLOCATION_TIMEOUT_MS) {
          const zones = [...new Set(waiting.map((k) => k.zone))].join(', ');
          await this.fail(c, chunks, `no factory accepted a chunk within ${this.config.ALLOCATION_TIMEOUT_MS} ms in zone ${zones}; check that factories of that zone are running`);
        }
        return;
      }
      case 'running': {
        if (c.hardTimeout && c.timeoutMs && c.startAt && now > c.startAt.getTime() + c.timeoutMs) {
          await this.control.send(c.key, { abort: 'hard' });
          await this.repo.transition(c.key, ['running'], 'failed', { result: 'error', failureReason: `hard timeout of ${c.timeoutMs} ms exceeded`, ended: true });
          return;
        }
        const liveZones = await this.watchFactories(c, chunks, now);
        // A chunk handed back or lost waits for a factory of its zone to take it over.
        const lostForGood = (k: Chunk) => ORPHAN.has(k.status) && (!liveZones.has(k.zone) || now - (k.lostAt?.getTime() ?? now) > TAKEOVER_GRACE_MS);
        if (chunks.every(lostForGood)) return this.fail(c, chunks, `every chunk was lost: ${lossReport(chunks)}`);
        if (chunks.every((k) => DONE_CHUNK.has(k.status) || lostForGood(k))) return void (await this.repo.transition(c.key, ['running'], 'processing_metrics', { ended: true }));
        return this.watchThresholds(c, now);
      }
      case 'processing_metrics': {
        const complete = await this.allSnapshotsIn(chunks);
        const late = c.endedAt && now - c.endedAt.getTime() > this.config.METRICS_GRACE_MS;
        if (!complete && !late) return;
        if (!complete) await this.repo.event(c.key, 'WARN', `Snapshots never arrived within ${this.config.METRICS_GRACE_MS} ms (${await this.missingSnapshots(chunks)}); the report misses them`);
        const start = c.startAt ?? c.startedAt;
        const outcomes = await this.thresholds.final(c, start && c.endedAt ? Math.max(0, (c.endedAt.getTime() - start.getTime()) / 1000) : 0);
        const breached = outcomes.filter((o) => !o.passed);
        const failed = chunks.filter((k) => k.status === 'failed');
        const lost = chunks.filter((k) => ORPHAN.has(k.status));
        if (lost.length) {
          await this.repo.transition(c.key, ['processing_metrics'], 'completed', { result: 'error', failureReason: `the campaign ran degraded: ${lossReport(lost)}`, resultDetails: outcomes });
        } else if (failed.length) {
          const reason = `${failed.length} of ${chunks.length} chunks failed: ${failed[0]!.error ?? 'unknown error'}`;
          await this.repo.transition(c.key, ['processing_metrics'], 'completed', { result: 'error', failureReason: reason, resultDetails: outcomes });
        } else {
          await this.repo.transition(c.key, ['processing_metrics'], 'completed', { result: breached.length ? 'failed' : 'passed', resultDetails: outcomes });
        }
        return;
      }
    }
  }

  /**
   * Fixes the synchronised start instant (docs/architecture.md#time) and tells the factories through the
   * control key. `notReady`: chunks that did not say they were ready within START_READY_TIMEOUT_MS.
   */
  private async start(c: Campaign, notReady: Chunk[] = []): Promise<void> {
    const startAt = await this.clusterNow() + c.startOffsetMs;
    const moved = await this.repo.transition(c.key, ['queued', 'initializing', 'ready'], 'running', { startAt: new Date(startAt), started: true });
    if (!moved) return;
    await this.control.send(c.key, { startAt });
    if (notReady.length) await this.repo.event(c.key, 'WARN', notReadyMessage(notReady, this.config.START_READY_TIMEOUT_MS));
    await this.repo.event(c.key, 'INFO', `Start instant fixed at ${new Date(startAt).toISOString()}`);
  }

  /** Manual start: every chunk accepted (and ready, or past the wait for it). */
  private async markReady(c: Campaign, notReady: Chunk[]): Promise<void> {
    const moved = await this.repo.transition(c.key, ['queued', 'initializing'], 'ready');
    if (moved && notReady.length) await this.repo.event(c.key, 'WARN', notReadyMessage(notReady, this.config.START_READY_TIMEOUT_MS));
  }

  /** Manual start (POST /campaigns/{key}/start). */
  async startReady(c: Campaign): Promise<boolean> {
    if (c.status !== 'ready') return false;
    await this.start(c);
    return true;
  }

  /** The cluster clock is Redis's: factories correct against the same source. */
  private async clusterNow(): Promise<number> {
    const [s, us] = await this.redis.main.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  }

  /**
   * Thresholds over the intervals settled so far (docs/metrics.md#thresholds): a breach is logged once; an
   * abortOnFail one past its delay aborts the campaign, its result `failed`.
   */
  private async watchThresholds(c: Campaign, now: number): Promise<void> {
    const verdict = await this.thresholds.evaluateLive(c, now);
    if (!verdict?.abort) return;
    await this.control.send(c.key, { abort: 'hard' });
    const moved = await this.repo.transition(c.key, ['running'], 'aborted', { result: 'failed', failureReason: verdict.abort, resultDetails: verdict.outcomes, ended: true });
    if (moved) this.log.warn({ campaign: c.key, reason: verdict.abort }, 'campaign aborted by a threshold');
    this.thresholds.forget(c.key);
  }

  /**
   * Marks `lost` the running chunks whose factory no longer has a heartbeat (docs/architecture.md#lost-and-degraded-chunks); a
   * takeover (ingest) brings them back. Returns the zones that still have a live factory.
   */
  private async watchFactories(c: Campaign, chunks: Chunk[], now: number): Promise<Set<string>> {
    const live = await this.factories.live();
    const liveIds = new Set(live.map((f) => f.id));
    for (const k of chunks) {
      if (!(k.status === 'running' || k.status === 'accepted') || !k.factoryId || liveIds.has(k.factoryId)) {
        this.suspects.delete(k.id);
        continue;
      }
      const since = this.suspects.get(k.id) ?? now;
      this.suspects.set(k.id, since);
      if (now - since < LOST_CONFIRM_MS) continue;
      this.suspects.delete(k.id);
      if (!(await this.repo.markLost(k, new Date(now)))) continue;
      k.status = 'lost';
      k.lostAt = new Date(now);
      const others = live.filter((f) => f.zone === k.zone).length;
      await this.repo.event(c.key, 'WARN', `Zone ${k.zone} lost ${describeShare(k)}: factory ${k.factoryId} stopped answering at ${new Date(now).toISOString()}; ${others ? `waiting for one of its ${others} other factories to take it over` : 'no other factory of the zone can take it over: the campaign runs degraded'}`);
      this.log.warn({ campaign: c.key, chunk: k.id, factory: k.factoryId }, 'chunk lost');
    }
    return new Set(live.map((f) => f.zone));
  }

  /** `chunk (run r): seq 3, 4` for each run whose announced snapshots did not all arrive. */
  private async missingSnapshots(chunks: Chunk[]): Promise<string> {
    const parts = [];
    for (const k of chunks) {
      for (const r of await this.repo.announcedRuns(k.id)) {
        const seen = new Set(await this.repo.receivedSeqs(k.id, r.run));
        const missing = [];
        for (let q = 0; q <= r.lastSeq! && missing.length < 10; q++) if (!seen.has(q)) missing.push(q);
        if (missing.length) parts.push(`${k.id} (run ${r.run}): seq ${missing.join(', ')}`);
      }
    }
    return parts.join('; ');
  }

  /** Every run that said how many snapshots it sent (finished, failed, handed back) has them all merged. */
  private async allSnapshotsIn(chunks: Chunk[]): Promise<boolean> {
    for (const k of chunks) {
      if (k.status === 'lost') continue; // its last run died: nobody can say what it sent
      const runs = await this.repo.announcedRuns(k.id);
      if (runs.length === 0 && k.lastSeq === null) return false;
      for (const r of runs) {
        const n = await this.repo.receivedCount(k.id, r.run);
        if (n < r.lastSeq! + 1) return false;
      }
    }
    return true;
  }

  private async fail(c: Campaign, chunks: Chunk[], reason: string): Promise<void> {
    await this.control.send(c.key, { abort: 'hard' });
    for (const k of chunks) if (k.status === 'queued') await this.queues.removeWaitingChunk(k.zone, k.id);
    await this.repo.transition(c.key, ACTIVE_STATUSES, 'failed', { result: 'error', failureReason: reason, ended: true });
    this.log.warn({ campaign: c.key, reason }, 'campaign failed');
  }
}

/** Which chunks the start did not wait for, and what it means. */
function notReadyMessage(notReady: Chunk[], waitedMs: number): string {
  const list = notReady.map((k) => `${k.id} (zone ${k.zone}, factory ${k.factoryId ?? '?'})`).join(', ');
  return `Not ready after ${waitedMs} ms (connections, clock): ${list}; starting without waiting longer, so these chunks may start late`;
}

/** "chunk c (2 of 5 minions, 40% of zone z's share)" — what a lost chunk took with it. */
function describeShare(k: Chunk): string {
  const level = (k.share as { share?: { levels?: { weights: number[]; index: number }[] } })?.share?.levels?.[1];
  const pct = level ? (100 * level.weights[level.index]!) / level.weights.reduce((a, b) => a + b, 0) : null;
  const minions = k.minions ? `${k.minions} minions, ` : '';
  return `chunk ${k.id} (${minions}${pct === null ? 'its share' : `${+pct.toFixed(1)}% of the zone's share`})`;
}

/** Which zones lost which shares, and when, in words a user can act on. */
function lossReport(lost: Chunk[]): string {
  return lost
    .filter((k) => ORPHAN.has(k.status))
    .map((k) => `zone ${k.zone} lost ${describeShare(k)} at ${k.lostAt?.toISOString() ?? 'an unknown time'} when factory ${k.factoryId ?? '?'} ${k.status === 'lost' ? 'stopped' : 'shut down and handed it back'}; no other factory took it over`)
    .join('; ');
}
