import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { redisKeys } from '@barrage/contracts';
import type { HeadConfig } from '@barrage/config';
import { HEAD_CONFIG } from '../common/tokens.js';
import { RedisService } from '../infra/redis.service.js';
import { withTimeout } from '../infra/dependency.js';

/** One job per delivery; its attempts are BullMQ's. */
export interface DeliveryJob {
  deliveryId: string;
}

export const WEBHOOK_QUEUE = 'webhooks';
/** Finished jobs are kept this long, so queueing the same event again (any head, the sweep) is a no-op. */
const KEEP_S = 7 * 24 * 3600;

/**
 * Deterministic per webhook, event and campaign (and threshold): every head that queues an
 * event queues the same job. BullMQ reserves ':'.
 */
export function deliveryJobId(webhookId: string, event: string, campaignKey: string, threshold?: string): string {
  return `webhook-${webhookId}-${event}-${campaignKey}${threshold === undefined ? '' : `-t${threshold}`}`;
}

/** The queue of webhook deliveries (docs/webhooks.md#delivery). */
@Injectable()
export class WebhookQueue implements OnModuleDestroy {
  private queue: Queue<DeliveryJob> | null = null;

  constructor(
    private readonly redis: RedisService,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
  ) {}

  private get q(): Queue<DeliveryJob> {
    if (!this.queue) {
      this.queue = new Queue<DeliveryJob>(WEBHOOK_QUEUE, { connection: this.redis.connect(), prefix: redisKeys.prefix });
      this.queue.on('error', () => undefined); // reconnects by itself; callers see their own errors
    }
    return this.queue;
  }

  /** Queues a delivery: WEBHOOK_ATTEMPTS attempts, WEBHOOK_RETRY_BASE_MS doubled between them. */
  async add(jobId: string, deliveryId: string): Promise<void> {
    const add = this.q.add('deliver', { deliveryId }, {
      jobId,
      attempts: this.config.WEBHOOK_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.WEBHOOK_RETRY_BASE_MS },
      removeOnComplete: { age: KEEP_S },
      removeOnFail: { age: KEEP_S },
    });
    await withTimeout(add, this.redis.commandTimeoutMs, 'Redis', 'queueing a webhook delivery');
  }

  /** True when BullMQ knows the job (waiting, delayed, active, finished). */
  async has(jobId: string): Promise<boolean> {
    const state = await withTimeout(this.q.getJobState(jobId), this.redis.commandTimeoutMs, 'Redis', 'reading a webhook job');
    return state !== 'unknown';
  }

  async onModuleDestroy(): Promise<void> {
    if (this.queue) await withTimeout(this.queue.close(), this.redis.commandTimeoutMs, 'Redis', 'closing the webhook queue').catch(() => undefined);
  }
}
