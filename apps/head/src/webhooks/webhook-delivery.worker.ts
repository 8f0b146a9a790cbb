import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, redisKeys, webhookSignature, decryptSecret, isEncrypted } from '@barrage/contracts';
import type { HeadConfig } from '@barrage/config';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import { RedisService } from '../infra/redis.service.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WEBHOOK_QUEUE, WebhookQueue, type DeliveryJob } from './webhook-queue.service.js';

/** How often a head re-queues pending deliveries whose job was never queued (Redis was down then). */
const SWEEP_MS = 60_000;
/** Longest error text kept per attempt. */
const ERROR_CHARS = 500;

/** What one attempt saw: a status, or why there was none. */
interface AttemptResult {
  status: number | null;
  error: string | null;
}

/**
 * Delivers webhooks (docs/webhooks.md#delivery). Every head runs a worker on the one queue;
 * BullMQ hands each job to one of them and retries a failed attempt after its back-off.
 * Each attempt is recorded on the delivery's row before the job is failed for a retry.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private worker: Worker<DeliveryJob> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly queue: WebhookQueue,
    private readonly redis: RedisService,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<DeliveryJob>(WEBHOOK_QUEUE, (job) => this.process(job), { connection: this.redis.connect(), prefix: redisKeys.prefix, concurrency: 8 });
    this.worker.on('error', (err) => this.log.warn({ err }, 'webhook worker'));
    // At start-up too: deliveries left unqueued while no head could reach Redis.
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.worker) await this.redis.closeWorker(this.worker);
  }

  private async process(job: Job<DeliveryJob>): Promise<void> {
    const d = await this.repo.delivery(job.data.deliveryId);
    // Webhook deleted (its deliveries went with it), or already settled by an earlier run of the job.
    if (!d || d.outcome !== 'pending') return;
    const at = new Date();
    const result = await this.post(d.webhook.url, this.openSecret(d.webhook.secret), d.event, d.id, d.body, at);
    const delivered = result.status !== null && result.status >= 200 && result.status < 300;
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = delivered ? 'delivered' : last ? 'failed' : 'pending';
    const error = result.error ?? `receiver answered ${result.status}`;
    await this.repo.recordAttempt(d.id, { outcome, status: result.status, error: delivered ? null : error, at });
    const ctx = { webhook: d.webhookId, delivery: d.id, event: d.event, campaign: d.campaignKey, attempt: job.attemptsMade + 1 };
    if (delivered) return void this.log.info({ ...ctx, status: result.status }, 'webhook delivered');
    if (last) this.log.warn({ ...ctx, error }, 'webhook delivery failed for good');
    // BullMQ retries after the exponential back-off.
    throw new Error(error);
  }

  /** One signed POST; a status of any kind, or the reason there was none (refused, timed out). */
  /** The signing secret in clear: sealed with SECRETS_KEY when the head had one at creation. */
  private openSecret(stored: string): string {
    const key = this.config.SECRETS_KEY;
    if (!isEncrypted(stored)) return stored;
    if (key === null) throw new Error('the webhook secret is sealed and this head has no SECRETS_KEY');
    return decryptSecret(stored, key);
  }

  private async post(url: string, secret: string, event: string, deliveryId: string, body: string, at: Date): Promise<AttemptResult> {
    const timestamp = Math.floor(at.getTime() / 1000);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Barrage-Webhooks',
          [EVENT_HEADER]: event,
          [DELIVERY_HEADER]: deliveryId,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body),
        },
        body,
        // A redirect is an answer like any other non-2xx: following it would send the event elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS),
      });
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status, error: null };
    } catch (err) {
      return { status: null, error: describe(err, this.config.WEBHOOK_TIMEOUT_MS) };
    }
  }

  /** Queues again the pending deliveries whose job is missing (it could not be queued when the event happened). */
  private async sweep(): Promise<void> {
    try {
      for (const d of await this.repo.pendingBefore(new Date(Date.now() - SWEEP_MS))) {
        if (!(await this.queue.has(d.jobId))) await this.queue.add(d.jobId, d.id);
      }
    } catch (err) {
      this.log.warn({ err }, 'webhook sweep failed; retrying at the next round');
    }
  }
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const text = e.cause?.code ? `${e.cause.code}: ${e.cause.message ?? ''}` : (e.message ?? String(err));
  return text.slice(0, ERROR_CHARS);
}
