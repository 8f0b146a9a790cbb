import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a webhook can subscribe to (docs/webhooks.md#events). */
export const WEBHOOK_EVENTS = ['campaign.completed', 'campaign.failed', 'campaign.aborted', 'threshold.breached'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DELIVERY_OUTCOMES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** POST /webhooks. */
export const createWebhookSchema = z.strictObject({
  /** Where deliveries are POSTed: an http or https URL. */
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .max(2000),
  /** At least one; each at most once. */
  events: z
    .array(z.enum(WEBHOOK_EVENTS))
    .min(1, 'must name at least one event')
    .max(WEBHOOK_EVENTS.length)
    .refine((e) => new Set(e).size === e.length, 'names an event twice'),
  description: z.string().trim().max(500).optional(),
  /**
   * The HMAC key of the signatures; 16 to 256 characters. Generated (32 random bytes, hex)
   * when absent. Shown once, in the creation answer.
   */
  secret: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
});
export type CreateWebhookInput = z.input<typeof createWebhookSchema>;
export type CreateWebhook = z.output<typeof createWebhookSchema>;

/** GET /webhooks/{id}/deliveries. */
export const deliverySearchSchema = z.strictObject({
  page: z.coerce.number().int().min(0).default(0),
  size: z.coerce.number().int().min(1).max(100).default(20),
});

/** A webhook as every answer shows it: never its secret. */
export interface WebhookView {
  id: string;
  url: string;
  events: WebhookEvent[];
  description: string | null;
  createdAt: string;
}

/** The 201 of POST /webhooks: the only answer that carries the secret. */
export interface CreatedWebhookView extends WebhookView {
  secret: string;
}

export interface DeliveryView {
  id: string;
  event: WebhookEvent;
  campaignKey: string;
  outcome: DeliveryOutcome;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
}

/** The body POSTed to a receiver. */
export interface WebhookPayload {
  /** The delivery's id, also in `x-barrage-delivery`: the same on every attempt, so receivers can drop duplicates. */
  id: string;
  event: WebhookEvent;
  createdAt: string;
  campaign: {
    key: string;
    name: string;
    status: string;
    result: string | null;
    failureReason: string | null;
    links: { self: string; report: string; reportHtml: string };
  };
  threshold?: { scenario: string | null; step: string | null; expression: string; observed: number | null; abortOnFail: boolean };
}

export const SIGNATURE_HEADER = 'x-barrage-signature';
export const TIMESTAMP_HEADER = 'x-barrage-timestamp';
export const EVENT_HEADER = 'x-barrage-event';
export const DELIVERY_HEADER = 'x-barrage-delivery';

/**
 * `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<rawBody>")>` (Stripe's scheme): the
 * timestamp is signed with the body, so a receiver that refuses old timestamps refuses replays.
 */
export function webhookSignature(secret: string, timestampS: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${rawBody}`).digest('hex')}`;
}

/** A receiver's check: the signature matches (constant time) and the timestamp is within toleranceS of nowS. */
export function verifyWebhookSignature(secret: string, header: string, timestampS: number, rawBody: string, nowS: number, toleranceS = 300): boolean {
  if (!Number.isInteger(timestampS) || Math.abs(nowS - timestampS) > toleranceS) return false;
  const expected = Buffer.from(webhookSignature(secret, timestampS, rawBody));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
