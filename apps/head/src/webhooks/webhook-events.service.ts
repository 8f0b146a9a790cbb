import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { WebhookEvent, WebhookPayload } from '@barrage/contracts';
import type { HeadConfig } from '@barrage/config';
import type { Campaign } from '../generated/prisma/client.js';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhookQueue, deliveryJobId } from './webhook-queue.service.js';
import { campaignEventOf } from './campaign-event.js';

/** What a breached threshold's delivery says about it. */
export interface BreachedThreshold {
  /** Its index among the campaign's thresholds: one delivery per threshold. */
  id: string;
  scenario: string | null;
  step: string | null;
  expression: string;
  observed: number | null;
  abortOnFail: boolean;
}

/**
 * Turns campaign and threshold events into deliveries: a row per subscribed webhook (its body
 * fixed once, so every attempt sends and signs the same bytes) and a BullMQ job whose id is
 * the same from every head. Callers are the one place a campaign ends (the repository's
 * transition) and the one place a breach is first recorded, so each event is queued once;
 * the ids make a second call harmless anyway.
 *
 * Never throws: a campaign's end must not fail because a receiver's queue could not be
 * written. A delivery whose job could not be queued stays pending and the worker's sweep
 * queues it again.
 */
@Injectable()
export class WebhookEvents {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly queue: WebhookQueue,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** A campaign reached a terminal status. */
  async campaignEnded(key: string): Promise<void> {
    try {
      const c = await this.repo.campaign(key);
      const event = c && campaignEventOf(c.status, c.result);
      if (c && event) await this.emit(event, c);
    } catch (err) {
      this.log.error({ err, campaign: key }, 'webhook event of a campaign end could not be recorded');
    }
  }

  /** A threshold was breached for the first time in this campaign (any head). */
  async thresholdBreached(key: string, threshold: BreachedThreshold): Promise<void> {
    try {
      const c = await this.repo.campaign(key);
      if (c) await this.emit('threshold.breached', c, threshold);
    } catch (err) {
      this.log.error({ err, campaign: key }, 'webhook event of a threshold breach could not be recorded');
    }
  }

  /**
   * The deliveries are written to Postgres before this returns; their jobs are queued without
   * holding the caller (a campaign's end, an abort request) on Redis: one that cannot be
   * queued now stays pending and the sweep queues it.
   */
  private async emit(event: WebhookEvent, c: Campaign, threshold?: BreachedThreshold): Promise<void> {
    for (const hook of await this.repo.subscribers(event)) {
      const id = randomUUID();
      const jobId = deliveryJobId(hook.id, event, c.key, threshold?.id);
      const body = JSON.stringify(this.payload(id, event, c, threshold));
      if (!(await this.repo.addDelivery({ id, webhookId: hook.id, jobId, event, campaignKey: c.key, body }))) continue;
      void this.queue.add(jobId, id).catch((err: unknown) => this.log.warn({ err, webhook: hook.id, delivery: id }, 'webhook delivery not queued yet; the sweep queues it again'));
    }
  }

  private payload(id: string, event: WebhookEvent, c: Campaign, threshold?: BreachedThreshold): WebhookPayload {
    const self = `${(this.config.PUBLIC_URL ?? '').replace(/\/+$/, '')}/campaigns/${c.key}`;
    return {
      id,
      event,
      createdAt: new Date().toISOString(),
      campaign: {
        key: c.key,
        name: c.name,
        status: c.status,
        result: c.result,
        failureReason: c.failureReason,
        links: { self, report: `${self}/report`, reportHtml: `${self}/report.html` },
      },
      ...(threshold ? { threshold: { scenario: threshold.scenario, step: threshold.step, expression: threshold.expression, observed: threshold.observed, abortOnFail: threshold.abortOnFail } } : {}),
    };
  }
}
