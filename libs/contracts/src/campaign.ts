import { z } from 'zod';
import { executionProfileSchema, type ExecutionProfile } from '@barrage/planning';
import { nameSchema, zoneSchema } from './names.js';

/** ISO-8601 durations such as PT10M or P1DT2H (QALIPSIS's `timeout`), in milliseconds. */
export function parseIsoDurationMs(text: string): number | null {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const [d, h, min, s] = m.slice(1).map((v) => (v ? Number(v) : 0));
  return Math.round(((d * 24 + h) * 60 + min) * 60_000 + s * 1000);
}

/**
 * An ISO-8601 instant Postgres can compare with (zod accepts year 0000, which Postgres
 * refuses: a 500). Queries only ever need 1970 to 9999.
 */
const storedInstant = z.iso
  .datetime({ offset: true })
  .refine((s) => {
    const t = Date.parse(s);
    return t >= 0 && t <= Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  }, 'must be an instant between 1970 and 9999');

const zonesSchema = z
  .record(zoneSchema, z.number().gt(0, 'each zone percentage must be > 0').max(100))
  .refine((zones) => Object.keys(zones).length > 0, 'must name at least one zone')
  .superRefine((zones, ctx) => {
    const sum = Object.values(zones).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 100) > 0.001) ctx.addIssue({ code: 'custom', message: `zone percentages sum to ${+sum.toFixed(3)}, not 100` });
  });

/** One threshold: k6's short form (an expression) or its long form. */
export const thresholdEntrySchema = z.union([
  z.string().min(1).max(200),
  z.strictObject({
    threshold: z.string().min(1).max(200),
    /** Abort the running campaign as soon as the threshold is breached. @defaultValue false */
    abortOnFail: z.boolean().optional(),
    /** Do not abort during the first ms of the run (the numbers are still settling). @defaultValue 0 */
    delayAbortEvalMs: z.number().int().min(0).max(86_400_000).optional(),
  }),
]);

export const campaignScenarioSchema = z.strictObject({
  /** Ignored by STAGE, which carries its own counts. @defaultValue 1 */
  minionsCount: z.number().int().min(1).max(10_000_000).default(1),
  zones: zonesSchema.optional(),
  executionProfile: executionProfileSchema.optional(),
});
export type CampaignScenario = z.output<typeof campaignScenarioSchema>;

export const createCampaignSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    /** Divides every duration and offset of the plan (0.001 stretches it 1000 times). @defaultValue 1 */
    speedFactor: z.number().min(0.001).max(1000).default(1),
    /** Wait between "every chunk accepted" and the first minion. @defaultValue 1000 */
    startOffsetMs: z.number().int().min(0).max(3_600_000).default(1000),
    hardTimeout: z.boolean().default(false),
    /** At most a week. */
    timeoutMs: z.number().int().positive().max(604_800_000).optional(),
    /** QALIPSIS's ISO-8601 form of timeoutMs (PT10M). */
    timeout: z.string().max(50).optional(),
    scenarios: z.record(nameSchema, campaignScenarioSchema).refine((s) => Object.keys(s).length > 0, 'must contain at least one scenario'),
    /**
     * k6-style thresholds per scenario, `scenario.step`, or `*` (the whole campaign): an
     * expression (`p95 < 250`) or `{ threshold, abortOnFail, delayAbortEvalMs }`.
     */
    thresholds: z.record(z.string().min(1).max(300), z.array(thresholdEntrySchema).max(50)).optional(),
    manualStart: z.boolean().default(false),
    note: z.string().max(10_000).default(''),
    variables: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((c, ctx) => {
    if (c.timeout === undefined) return;
    const ms = parseIsoDurationMs(c.timeout);
    if (ms === null) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must be an ISO-8601 duration such as PT10M' });
    else if (ms < 1 || ms > 604_800_000) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must be between 1 ms and a week (P7D)' });
  })
  .transform(({ timeout, ...c }) => ({
    ...c,
    timeoutMs: c.timeoutMs ?? (timeout !== undefined ? (parseIsoDurationMs(timeout) ?? undefined) : undefined),
  }));
export type CreateCampaignInput = z.input<typeof createCampaignSchema>;
export type CreateCampaign = z.output<typeof createCampaignSchema>;

export const CAMPAIGN_STATUSES = ['created', 'queued', 'initializing', 'ready', 'running', 'processing_metrics', 'completed', 'aborted', 'failed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const TERMINAL_STATUSES: readonly CampaignStatus[] = ['completed', 'aborted', 'failed'];
/** Every status before the end: a campaign in one of them may still move (and uses its scenarios). */
export const ACTIVE_STATUSES: readonly CampaignStatus[] = CAMPAIGN_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));
export type CampaignResult = 'passed' | 'failed' | 'error';

export const patchCampaignSchema = z.strictObject({ note: z.string().max(10_000) });

const sortFields = ['creation', 'name', 'status', 'result', 'start', 'end'] as const;
export const campaignSearchSchema = z.strictObject({
  filter: z.string().max(500).optional(),
  sort: z
    .string()
    .regex(new RegExp(`^(${sortFields.join('|')})(:(asc|desc))?$`), `must be one of ${sortFields.join(', ')}, with :asc or :desc`)
    .default('creation:desc'),
  status: z.string().optional(),
  excludedStatuses: z.string().optional(),
  createdAfter: storedInstant.optional(),
  createdBefore: storedInstant.optional(),
  page: z.coerce.number().int().min(0).default(0),
  size: z.coerce.number().int().min(1).max(100).default(20),
});
export type CampaignSearch = z.output<typeof campaignSearchSchema>;

export interface CampaignSummary {
  key: string;
  name: string;
  note: string;
  status: CampaignStatus;
  result: CampaignResult | null;
  statusHistory: { status: CampaignStatus; at: string }[];
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** When its results are purged; null once saved. */
  retentionExpiry: string | null;
  saved: boolean;
  /** Set once retention purged its intervals, samples and events. */
  purgedAt: string | null;
  speedFactor: number;
  startOffsetMs: number;
  hardTimeout: boolean;
  timeoutMs: number | null;
  scenarios: { name: string; minionsCount: number; zones: Record<string, number> | null; executionProfile: ExecutionProfile }[];
  totals: { requests: number; failures: number; minionsStarted: number; minionsActive: number; droppedIterations: number };
  failureReason: string | null;
}

export interface Page<T> {
  page: number;
  size: number;
  totalPages: number;
  totalElements: number;
  elements: T[];
}

/** GET /campaigns/{key}/intervals: without a dimension, its roll-up ('*') is returned. */
export const intervalsQuerySchema = z.strictObject({
  scenario: z.string().max(100).optional(),
  step: z.string().max(100).optional(),
  zone: z.string().max(64).optional(),
  since: storedInstant.optional(),
  until: storedInstant.optional(),
  /** Only the last N intervals of the selection (Testable's numIntervals). */
  numIntervals: z.coerce.number().int().min(1).max(100_000).optional(),
});
export type IntervalsQuery = z.output<typeof intervalsQuerySchema>;
