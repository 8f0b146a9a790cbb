import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  encryptSecret,
  createWebhookSchema,
  deliverySearchSchema,
  type CreatedWebhookView,
  type DeliveryOutcome,
  type DeliveryView,
  type Page,
  type WebhookEvent,
  type WebhookView,
} from '@barrage/contracts';
import type { Webhook, WebhookDelivery } from '../generated/prisma/client.js';
import { notFound, parseOr400 } from '../common/api-error.js';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import type { HeadConfig } from '@barrage/config';
import { newCampaignKey } from '../common/keys.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** Webhooks: creation (the secret shown once), listing without secrets, deletion, deliveries. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async create(body: unknown): Promise<CreatedWebhookView> {
    const w = parseOr400(createWebhookSchema, body);
    const secret = w.secret ?? randomBytes(32).toString('hex');
    // Sealed like scenario secrets when the head has a SECRETS_KEY (docs/security.md#secrets).
    const key = this.config.SECRETS_KEY;
    const stored = key === null ? secret : encryptSecret(secret, key);
    const row = await this.repo.create({ id: newCampaignKey(), url: w.url, events: w.events, description: w.description ?? null, secret: stored });
    this.log.info({ webhook: row.id, events: w.events }, 'webhook created');
    if (key === null) this.log.warn({ webhook: row.id }, 'this head has no SECRETS_KEY: the webhook\'s signing secret is stored unencrypted (docs/webhooks.md#secrets-at-rest)');
    return { ...view(row), secret };
  }

  async list(): Promise<WebhookView[]> {
    return (await this.repo.list()).map(view);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.repo.remove(id))) throw notFound(`webhook "${id}"`);
    this.log.info({ webhook: id }, 'webhook deleted');
  }

  /** GET /webhooks/{id}/deliveries: newest first. */
  async deliveries(id: string, query: unknown): Promise<Page<DeliveryView>> {
    const q = parseOr400(deliverySearchSchema, query, 'query');
    if (!(await this.repo.exists(id))) throw notFound(`webhook "${id}"`);
    const { total, deliveries } = await this.repo.deliveries(id, q.page, q.size);
    return { page: q.page, size: q.size, totalPages: Math.ceil(total / q.size), totalElements: total, elements: deliveries.map(deliveryView) };
  }
}

/** Every answer's view of a webhook: the secret is left out here, once. */
function view(w: Webhook): WebhookView {
  return { id: w.id, url: w.url, events: w.events as WebhookEvent[], description: w.description, createdAt: w.createdAt.toISOString() };
}

function deliveryView(d: WebhookDelivery): DeliveryView {
  return {
    id: d.id,
    event: d.event as WebhookEvent,
    campaignKey: d.campaignKey,
    outcome: d.outcome as DeliveryOutcome,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}
