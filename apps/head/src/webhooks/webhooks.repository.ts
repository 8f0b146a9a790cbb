import { Injectable } from '@nestjs/common';
import type { DeliveryOutcome, WebhookEvent } from '@barrage/contracts';
import type { Campaign, Webhook, WebhookDelivery } from '../generated/prisma/client.js';
import { PrismaService } from '../infra/prisma.service.js';

/** Webhooks and their deliveries: queries only. */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The secret is stored sealed with SECRETS_KEY (as given when the head has none): the worker
   * opens it to sign. It is never selected into an answer (WebhooksService.view).
   */
  create(data: { id: string; url: string; events: WebhookEvent[]; description: string | null; secret: string }): Promise<Webhook> {
    return this.prisma.webhook.create({ data });
  }

  list(): Promise<Webhook[]> {
    return this.prisma.webhook.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: 1000 });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.prisma.webhook.count({ where: { id } })) > 0;
  }

  /** Deletes the webhook and, by cascade, its deliveries; false when unknown. */
  async remove(id: string): Promise<boolean> {
    return (await this.prisma.webhook.deleteMany({ where: { id } })).count > 0;
  }

  /** The webhooks subscribed to an event. */
  subscribers(event: WebhookEvent): Promise<Webhook[]> {
    return this.prisma.webhook.findMany({ where: { events: { has: event } } });
  }

  campaign(key: string): Promise<Campaign | null> {
    return this.prisma.campaign.findUnique({ where: { key } });
  }

  /** Records a delivery to make; false when one with this job id exists (another head, or an earlier call). */
  async addDelivery(d: { id: string; webhookId: string; jobId: string; event: WebhookEvent; campaignKey: string; body: string }): Promise<boolean> {
    const n = await this.prisma.$executeRaw`INSERT INTO webhook_deliveries (id, webhook_id, job_id, event, campaign_key, body)
      SELECT ${d.id}, ${d.webhookId}, ${d.jobId}, ${d.event}, ${d.campaignKey}, ${d.body}
      WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ${d.webhookId}) ON CONFLICT (job_id) DO NOTHING`;
    return n > 0;
  }

  /** A delivery with what signing and sending it takes. */
  delivery(id: string): Promise<(WebhookDelivery & { webhook: Webhook }) | null> {
    return this.prisma.webhookDelivery.findUnique({ where: { id }, include: { webhook: true } });
  }

  async recordAttempt(id: string, a: { outcome: DeliveryOutcome; status: number | null; error: string | null; at: Date }): Promise<void> {
    await this.prisma.webhookDelivery.updateMany({
      where: { id },
      data: {
        outcome: a.outcome,
        attempts: { increment: 1 },
        lastStatus: a.status,
        lastError: a.error,
        lastAttemptAt: a.at,
        ...(a.outcome === 'delivered' ? { deliveredAt: a.at } : {}),
      },
    });
  }

  /** Pending deliveries created before `before`: the sweep makes sure each still has its job. */
  pendingBefore(before: Date): Promise<Pick<WebhookDelivery, 'id' | 'jobId'>[]> {
    return this.prisma.webhookDelivery.findMany({ where: { outcome: 'pending', createdAt: { lt: before } }, select: { id: true, jobId: true }, take: 500 });
  }

  async deliveries(webhookId: string, page: number, size: number): Promise<{ total: number; deliveries: WebhookDelivery[] }> {
    const where = { webhookId };
    const [total, deliveries] = await this.prisma.$transaction([
      this.prisma.webhookDelivery.count({ where }),
      this.prisma.webhookDelivery.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: page * size, take: size }),
    ]);
    return { total, deliveries };
  }
}
