/**
 * What the API answers where no schema described it yet: campaigns, scenarios as stored,
 * factories, zones, health, a campaign's event log and definition. They generate the OpenAPI
 * document's response schemas; the TypeScript types of these payloads are checked against
 * them below, so a change to one that the other does not follow fails the build.
 */
import { z } from 'zod';
import { executionProfileSchema } from '@barrage/planning';
import { CAMPAIGN_STATUSES, createCampaignSchema, type CampaignSummary, type Page } from './campaign.js';
import { scenarioSchema } from './scenario.js';
import type { FactoryRecord } from './cluster.js';
import { schedulingSchema, type ScheduleView } from './schedule.js';
import { DELIVERY_OUTCOMES, WEBHOOK_EVENTS, type CreatedWebhookView, type DeliveryView, type WebhookView } from './webhook.js';
import { apiKeySchema } from './api-keys.js';

const instant = z.string().describe('ISO-8601 instant');
const status = z.enum(CAMPAIGN_STATUSES);

export const campaignSummarySchema = z.strictObject({
  key: z.string(),
  name: z.string(),
  note: z.string(),
  status,
  result: z.enum(['passed', 'failed', 'error']).nullable(),
  statusHistory: z.array(z.strictObject({ status, at: instant })),
  createdAt: instant,
  startedAt: instant.nullable(),
  endedAt: instant.nullable(),
  retentionExpiry: instant.nullable().describe('when its results are purged; null once saved'),
  saved: z.boolean(),
  purgedAt: instant.nullable(),
  speedFactor: z.number(),
  startOffsetMs: z.number(),
  hardTimeout: z.boolean(),
  timeoutMs: z.number().nullable(),
  scenarios: z.array(z.strictObject({ name: z.string(), minionsCount: z.number(), zones: z.record(z.string(), z.number()).nullable(), executionProfile: executionProfileSchema })),
  totals: z.strictObject({ requests: z.number(), failures: z.number(), minionsStarted: z.number(), minionsActive: z.number(), droppedIterations: z.number() }),
  failureReason: z.string().nullable(),
});

export const campaignPageSchema = z.strictObject({
  page: z.number().int(),
  size: z.number().int(),
  totalPages: z.number().int(),
  totalElements: z.number().int(),
  elements: z.array(campaignSummarySchema),
});

/** A scenario as stored: its definition, with defaults applied, and its version. */
export const storedScenarioSchema = z.object({ ...scenarioSchema.shape, version: z.number().int(), createdAt: instant });
export const storedScenariosSchema = z.array(storedScenarioSchema);

export const factoryRecordSchema = z.strictObject({
  id: z.string(),
  zone: z.string(),
  host: z.string(),
  capacity: z.number(),
  version: z.string(),
  runningChunks: z.array(z.string()),
  startedAt: instant,
  heartbeatAt: instant,
  clock: z
    .strictObject({
      offsetMs: z.number().describe('the factory clock minus the cluster clock, ms: positive = ahead'),
      uncertaintyMs: z.number().nullable(),
      rttMs: z.number().nullable(),
      driftPpm: z.number(),
      lastSyncAt: instant.nullable(),
      boundMs: z.number(),
      withinBound: z.boolean(),
    })
    .optional(),
  health: z.enum(['healthy', 'degraded']).optional(),
  problems: z.array(z.string()).optional(),
});
export const factoriesSchema = z.array(factoryRecordSchema);
export const zonesViewSchema = z.array(z.strictObject({ zone: z.string(), factories: z.number().int(), capacity: z.number() }));

const upDown = z.enum(['up', 'down']);
export const healthSchema = z.strictObject({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  services: z.strictObject({ database: upDown, redis: upDown }),
  factories: z.strictObject({ live: z.number().int() }),
});

export const campaignEventsSchema = z.array(z.strictObject({ at: instant, level: z.string(), message: z.string() }));

export const campaignDefinitionSchema = z.object({
  payload: createCampaignSchema,
  scenarioVersions: z.record(z.string(), z.number().int()),
  thresholds: z.array(z.unknown()).optional(),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time: the schemas above and the types the head returns describe the same payloads. */
export const responseTypesAgree: [Same<z.output<typeof campaignSummarySchema>, CampaignSummary>, Same<z.output<typeof campaignPageSchema>, Page<CampaignSummary>>, Same<z.output<typeof factoryRecordSchema>, FactoryRecord>] = [true, true, true];

/** A schedule as the API answers it (ScheduleView). */
export const scheduleViewSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  scheduledAt: z.string(),
  scheduling: schedulingSchema.nullable(),
  timeZone: z.string(),
  campaign: createCampaignSchema,
  nextRunAt: instant.nullable(),
  nextRuns: z.array(instant),
  createdAt: instant,
  updatedAt: instant,
});
export const schedulePageSchema = z.strictObject({ page: z.number().int(), size: z.number().int(), totalPages: z.number().int(), totalElements: z.number().int(), elements: z.array(scheduleViewSchema) });

/** A webhook as listed (never its secret), and the creation answer that shows it once. */
export const webhookViewSchema = z.strictObject({ id: z.string(), url: z.string(), events: z.array(z.enum(WEBHOOK_EVENTS)), description: z.string().nullable(), createdAt: instant });
export const webhooksSchema = z.array(webhookViewSchema);
export const createdWebhookSchema = webhookViewSchema.extend({ secret: z.string() });
export const deliveryViewSchema = z.strictObject({
  id: z.string(),
  event: z.enum(WEBHOOK_EVENTS),
  campaignKey: z.string(),
  outcome: z.enum(DELIVERY_OUTCOMES),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: instant,
  lastAttemptAt: instant.nullable(),
  deliveredAt: instant.nullable(),
});
export const deliveryPageSchema = z.strictObject({ page: z.number().int(), size: z.number().int(), totalPages: z.number().int(), totalElements: z.number().int(), elements: z.array(deliveryViewSchema) });
export const apiKeysSchema = z.array(apiKeySchema);

export const moreResponseTypesAgree: [
  Same<z.output<typeof scheduleViewSchema>, ScheduleView>,
  Same<z.output<typeof webhookViewSchema>, WebhookView>,
  Same<z.output<typeof createdWebhookSchema>, CreatedWebhookView>,
  Same<z.output<typeof deliveryViewSchema>, DeliveryView>,
] = [true, true, true, true];
