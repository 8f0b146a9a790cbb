import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { redisKeys } from '@barrage/contracts';
import { RedisService } from '../infra/redis.service.js';
import { withTimeout } from '../infra/dependency.js';

/** One delayed job per occurrence a schedule waits for. */
export interface ScheduleJob {
  scheduleId: string;
  occurrenceMs: number;
}

export const SCHEDULE_QUEUE = 'schedules';
/** Kept long after it ran, so that queueing the same occurrence again is a no-op (the claim in Postgres is the final guard). */
const KEEP_S = 7 * 24 * 3600;

/** Deterministic per occurrence: every head that queues it queues the same job. BullMQ reserves ':'. */
export function scheduleJobId(scheduleId: string, occurrenceMs: number): string {
  return `schedule-${scheduleId}-${occurrenceMs}`;
}

/** The delayed jobs of schedules (docs/schedules.md#firing). */
@Injectable()
export class ScheduleQueue implements OnModuleDestroy {
  private queue: Queue<ScheduleJob> | null = null;

  constructor(private readonly redis: RedisService) {}

  private get q(): Queue<ScheduleJob> {
    if (!this.queue) {
      this.queue = new Queue<ScheduleJob>(SCHEDULE_QUEUE, { connection: this.redis.connect(), prefix: redisKeys.prefix });
      this.queue.on('error', () => undefined); // reconnects by itself; callers see their own errors
    }
    return this.queue;
  }

  /** Queues an occurrence to fire at its instant; queueing it again (any head) changes nothing. */
  async add(scheduleId: string, occurrenceMs: number): Promise<void> {
    const add = this.q.add('fire', { scheduleId, occurrenceMs }, {
      jobId: scheduleJobId(scheduleId, occurrenceMs),
      delay: Math.max(0, occurrenceMs - Date.now()),
      attempts: 1,
      removeOnComplete: { age: KEEP_S },
      removeOnFail: { age: KEEP_S },
    });
    await withTimeout(add, this.redis.commandTimeoutMs, 'Redis', 'queueing a schedule occurrence');
  }

  /** Drops an occurrence still waiting (schedule disabled, changed or deleted); one already running is left alone. */
  async removeWaiting(scheduleId: string, occurrenceMs: number): Promise<void> {
    const remove = async () => {
      const job = await this.q.getJob(scheduleJobId(scheduleId, occurrenceMs));
      if (job && (await job.isDelayed().catch(() => false))) await job.remove().catch(() => undefined);
    };
    await withTimeout(remove(), this.redis.commandTimeoutMs, 'Redis', 'removing a schedule occurrence');
  }

  async onModuleDestroy(): Promise<void> {
    if (this.queue) await withTimeout(this.queue.close(), this.redis.commandTimeoutMs, 'Redis', 'closing the schedule queue').catch(() => undefined);
  }
}
