import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { redisKeys, scheduleRuleOf, type CampaignStatus } from '@barrage/contracts';
import type { HeadConfig } from '@barrage/config';
import { localLabel, type ScheduleRule } from '@barrage/time';
import type { Schedule } from '../generated/prisma/client.js';
import { ApiError } from '../common/api-error.js';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import { newCampaignKey } from '../common/keys.js';
import { RedisService } from '../infra/redis.service.js';
import { CampaignsService } from '../campaigns/campaigns.service.js';
import { CampaignsRepository } from '../campaigns/campaigns.repository.js';
import { SchedulesRepository } from './schedules.repository.js';
import { SCHEDULE_QUEUE, ScheduleQueue, type ScheduleJob } from './schedule-queue.service.js';
import { OCCURRENCE_SOURCE, type OccurrenceSource } from './occurrence-source.js';
import { storedSchedule } from './schedules.service.js';
import { WebhookEvents } from '../webhooks/webhook-events.service.js';

/** How often a head makes sure every enabled schedule has its next occurrence queued. */
const RECONCILE_MS = 30_000;

/**
 * Fires schedule occurrences (docs/schedules.md#firing). Every head runs a worker on the one
 * schedule queue: BullMQ hands each delayed job to one of them, the job id is the same from
 * every head that queues it, and a claim row per occurrence in Postgres makes a job that is
 * queued again after its removal harmless. After an occurrence, the next one is queued.
 */
@Injectable()
export class ScheduleFiringService implements OnApplicationBootstrap, OnModuleDestroy {
  private worker: Worker<ScheduleJob> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repo: SchedulesRepository,
    private readonly queue: ScheduleQueue,
    private readonly campaigns: CampaignsService,
    private readonly campaignsRepo: CampaignsRepository,
    private readonly redis: RedisService,
    @Inject(OCCURRENCE_SOURCE) private readonly occurrences: OccurrenceSource,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
    @Inject(LOGGER) private readonly log: Logger,
    @Optional() private readonly webhooks?: WebhookEvents,
  ) {}

  onApplicationBootstrap(): void {
    if (this.occurrences.testOnly) this.log.warn({ everyMs: this.config.SCHEDULE_TEST_OCCURRENCE_EVERY_MS }, 'SCHEDULE_TEST_OCCURRENCE_EVERY_MS is set: recurring schedules ignore their rules (test only)');
    this.worker = new Worker<ScheduleJob>(SCHEDULE_QUEUE, (job) => this.process(job), { connection: this.redis.connect(), prefix: redisKeys.prefix, concurrency: 4 });
    this.worker.on('error', (err) => this.log.warn({ err }, 'schedule worker'));
    // At start-up: occurrences missed while no head was up are queued again, and the worker
    // runs or skips them by misfireGraceMs.
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_MS);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.worker) await this.redis.closeWorker(this.worker);
  }

  /** Queues each enabled schedule's pending occurrence (a no-op where its job exists). */
  async reconcile(): Promise<void> {
    try {
      for (const s of await this.repo.enabled()) {
        const pending = s.nextRunAt?.getTime() ?? this.nextAfter(s, -1);
        if (pending !== null) await this.queue.add(s.id, pending);
      }
    } catch (err) {
      this.log.warn({ err }, 'schedule reconcile failed; retrying at the next round');
    }
  }

  private async process(job: Job<ScheduleJob>): Promise<void> {
    const { scheduleId, occurrenceMs } = job.data;
    const s = await this.repo.find(scheduleId);
    // Deleted, disabled, or changed so that this is no longer one of its occurrences: its
    // own next occurrence was queued by the PATCH.
    if (!s || !s.enabled || !this.isOccurrence(ruleOf(s), occurrenceMs)) return;
    const at = new Date(occurrenceMs);
    const lateMs = Date.now() - occurrenceMs;
    if (lateMs > this.config.SCHEDULE_MISFIRE_GRACE_MS) {
      if (await this.repo.claim(scheduleId, at, 'skipped')) {
        this.log.warn({ schedule: scheduleId, occurrence: at.toISOString(), lateMs, graceMs: this.config.SCHEDULE_MISFIRE_GRACE_MS }, 'schedule occurrence missed by more than SCHEDULE_MISFIRE_GRACE_MS: skipped');
      }
    } else if (await this.repo.claim(scheduleId, at, 'started')) {
      await this.fire(s, occurrenceMs);
    }
    // Whoever gets here queues the same next job: harmless when several do.
    await this.queueNext(s, occurrenceMs);
  }

  /** Starts the occurrence's campaign; when it cannot be placed, records it failed with the reason. */
  private async fire(s: Schedule, occurrenceMs: number): Promise<void> {
    const at = new Date(occurrenceMs);
    const { campaign } = storedSchedule(s);
    const name = `${s.name} (${localLabel(occurrenceMs, s.timeZone)})`;
    try {
      const started = await this.campaigns.create({ ...campaign, name });
      await this.repo.linkCampaign(started.key, s.id);
      await this.repo.finishRun(s.id, at, 'started', started.key);
      this.log.info({ schedule: s.id, occurrence: at.toISOString(), campaign: started.key }, 'schedule fired');
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 400)) {
        // Postgres or Redis failed: POST /campaigns's own path has marked any campaign it made failed.
        this.log.error({ err, schedule: s.id, occurrence: at.toISOString() }, 'schedule occurrence could not start its campaign');
        await this.repo.finishRun(s.id, at, 'failed', null).catch(() => undefined);
        return;
      }
      // A 400 now (a zone without a live factory, a scenario deleted since): the campaign
      // exists, failed, with that reason; the schedule goes on.
      const reason = err.details?.map((d) => d.message).join('; ') || err.message;
      const key = await this.recordFailed(s, name, reason);
      await this.repo.finishRun(s.id, at, 'failed', key);
      this.log.warn({ schedule: s.id, occurrence: at.toISOString(), campaign: key, reason }, 'schedule occurrence failed');
    }
  }

  private async recordFailed(s: Schedule, name: string, reason: string): Promise<string> {
    const { campaign } = storedSchedule(s);
    const key = newCampaignKey();
    const now = new Date();
    const status: CampaignStatus = 'failed';
    await this.campaignsRepo.create({
      key,
      name,
      note: campaign.note ?? '',
      status,
      result: 'error',
      failureReason: reason,
      statusHistory: [{ status: 'created', at: now.toISOString() }, { status, at: now.toISOString() }],
      definition: { payload: campaign, scenarioVersions: {} } as object,
      speedFactor: campaign.speedFactor,
      startOffsetMs: campaign.startOffsetMs,
      hardTimeout: campaign.hardTimeout,
      timeoutMs: campaign.timeoutMs ?? null,
      manualStart: campaign.manualStart,
      resolutionMs: this.config.RESOLUTION_MS,
      createdAt: now,
      endedAt: now,
      retentionExpiry: new Date(now.getTime() + this.config.RETENTION_DAYS * 86_400_000),
      scheduleId: s.id,
    });
    await this.campaignsRepo.event(key, 'ERROR', `Schedule ${s.id} could not start this campaign: ${reason}`);
    // Created failed, without a transition: its campaign.failed event is sent from here.
    await this.webhooks?.campaignEnded(key);
    return key;
  }

  private async queueNext(s: Schedule, afterMs: number): Promise<void> {
    const next = this.nextAfter(s, afterMs);
    await this.repo.setNextRun(s.id, next === null ? null : new Date(next));
    if (next !== null) await this.queue.add(s.id, next);
  }

  /**
   * The occurrence to queue after `afterMs`: the rule's next one, but none further back than
   * misfireGraceMs (older ones would only be skipped, one by one, after a long outage).
   */
  private nextAfter(s: Schedule, afterMs: number): number | null {
    const from = Math.max(afterMs + 1, Date.now() - this.config.SCHEDULE_MISFIRE_GRACE_MS);
    return this.occurrences.nextRuns(ruleOf(s), from, 1)[0] ?? null;
  }

  private isOccurrence(rule: ScheduleRule, occurrenceMs: number): boolean {
    return this.occurrences.nextRuns(rule, occurrenceMs, 1)[0] === occurrenceMs;
  }
}

function ruleOf(s: Schedule): ScheduleRule {
  return scheduleRuleOf(storedSchedule(s));
}
