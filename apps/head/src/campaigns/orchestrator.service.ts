import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import type { CampaignStatus } from '@barrage/contracts';
import type { HeadConfig } from '@barrage/config';
import { PrismaService } from '../infra/prisma.service.js';
import { RedisService } from '../infra/redis.service.js';
import { QueuesService } from '../infra/queues.service.js';
import { ControlService } from '../infra/control.service.js';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import { CampaignsRepository } from './campaigns.repository.js';
import type { Campaign, Chunk } from '../generated/prisma/client.js';
import { ThresholdsService } from '../results/thresholds.service.js';

const ACTIVE: CampaignStatus[] = ['created', 'queued', 'initializing', 'ready', 'running', 'processing_metrics'];
const DONE_CHUNK = new Set(['finished', 'failed']);

/**
 * The campaign state machine (SPEC 3.4): a periodic tick on every head. Each step is a
 * conditional update, so several heads ticking at once move a campaign exactly once.
 */
@Injectable()
export class OrchestratorService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly queues: QueuesService,
    private readonly control: ControlService,
    private readonly repo: CampaignsRepository,
    private readonly thresholds: ThresholdsService,
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
      const campaigns = await this.prisma.campaign.findMany({ where: { status: { in: ACTIVE } }, include: { chunks: true } });
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
        if (waiting.length === 0) return c.manualStart ? void (await this.repo.transition(c.key, ['queued', 'initializing'], 'ready')) : this.start(c);
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
        if (chunks.every((k) => DONE_CHUNK.has(k.status))) return void (await this.repo.transition(c.key, ['running'], 'processing_metrics', { ended: true }));
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
        if (failed.length) {
          const reason = `${failed.length} of ${chunks.length} chunks failed: ${failed[0]!.error ?? 'unknown error'}`;
          await this.repo.transition(c.key, ['processing_metrics'], 'completed', { result: 'error', failureReason: reason, resultDetails: outcomes });
        } else {
          await this.repo.transition(c.key, ['processing_metrics'], 'completed', { result: breached.length ? 'failed' : 'passed', resultDetails: outcomes });
        }
        return;
      }
    }
  }

  /** Fixes the synchronised start instant (SPEC 7.3) and tells the factories through the control key. */
  private async start(c: Campaign): Promise<void> {
    const startAt = await this.clusterNow() + c.startOffsetMs;
    const moved = await this.repo.transition(c.key, ['queued', 'initializing', 'ready'], 'running', { startAt: new Date(startAt), started: true });
    if (!moved) return;
    await this.control.send(c.key, { startAt });
    await this.repo.event(c.key, 'INFO', `Start instant fixed at ${new Date(startAt).toISOString()}`);
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
   * Thresholds over the intervals settled so far (SPEC 6.5): a breach is logged once; an
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

  /** `chunk: seq 3, 4` for each chunk whose announced snapshots did not all arrive. */
  private async missingSnapshots(chunks: Chunk[]): Promise<string> {
    const parts = [];
    for (const k of chunks) {
      if (k.lastSeq === null) {
        parts.push(`${k.id}: never said how many it sent`);
        continue;
      }
      const seen = new Set((await this.prisma.snapshotReceipt.findMany({ where: { chunkId: k.id }, select: { seq: true } })).map((r) => r.seq));
      const missing = [];
      for (let q = 0; q <= k.lastSeq && missing.length < 10; q++) if (!seen.has(q)) missing.push(q);
      if (missing.length) parts.push(`${k.id}: seq ${missing.join(', ')}`);
    }
    return parts.join('; ');
  }

  private async allSnapshotsIn(chunks: Chunk[]): Promise<boolean> {
    for (const k of chunks) {
      if (k.lastSeq === null) return false;
      const n = await this.prisma.snapshotReceipt.count({ where: { chunkId: k.id } });
      if (n < k.lastSeq + 1) return false;
    }
    return true;
  }

  private async fail(c: Campaign, chunks: Chunk[], reason: string): Promise<void> {
    await this.control.send(c.key, { abort: 'hard' });
    for (const k of chunks) if (k.status === 'queued') await this.queues.removeWaitingChunk(k.zone, k.id);
    await this.repo.transition(c.key, ACTIVE, 'failed', { result: 'error', failureReason: reason, ended: true });
    this.log.warn({ campaign: c.key, reason }, 'campaign failed');
  }
}
