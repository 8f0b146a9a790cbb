import { z } from 'zod';
import { RECURRENCES, parseScheduledAt, resolveTimeZone, restrictionProblems, type ScheduleRule } from '@barrage/time';
import { createCampaignSchema, type CreateCampaign } from './campaign.js';

/** ` (2025-12-01 06:00)`: what a fired campaign's name gets, so a schedule's name leaves room for it. */
const FIRED_SUFFIX_LENGTH = 19;

/** QALIPSIS's `scheduling` block: how a schedule repeats (docs/schedules.md). */
export const schedulingSchema = z
  .strictObject({
    scheduling: z.enum(RECURRENCES),
    /**
     * An IANA id (`Europe/Berlin`), a UTC offset (`+01:00`) or an abbreviation of the table in
     * docs/schedules.md (`EDT`, `WAT`, `CET`). @defaultValue the zone of scheduledAt
     */
    timeZone: z
      .string()
      .max(64)
      .refine((tz) => resolveTimeZone(tz) !== null, 'is not a known time zone: use an IANA id (Europe/Berlin), a UTC offset (+01:00) or an abbreviation listed in docs/schedules.md')
      .optional(),
    /** Local hours 0–23 (HOURLY), ISO weekdays 1–7 (DAILY), month days 1…31 or −1…−31 (MONTHLY). Empty: no restriction. */
    restrictions: z.array(z.number().int()).max(100).default([]),
  })
  .superRefine((s, ctx) => {
    // zod runs this even when a field failed: read only what is valid.
    if (!RECURRENCES.includes(s.scheduling) || !Array.isArray(s.restrictions)) return;
    for (const p of restrictionProblems(s.scheduling, s.restrictions)) ctx.addIssue({ code: 'custom', path: ['restrictions', p.index], message: p.message });
  });
export type Scheduling = z.output<typeof schedulingSchema>;

/** `2025-12-01T05:00:00Z`, `…+01:00` or `…[Europe/Vienna]`. */
export const scheduledAtSchema = z.string().max(100).superRefine((text, ctx) => {
  const parsed = parseScheduledAt(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/**
 * POST /campaigns/schedule: the body of POST /campaigns (the same schema, with its checks)
 * plus `scheduledAt` and an optional `scheduling`. The name is shorter by the suffix a fired
 * campaign gets. The output keeps the campaign apart: it is the template each firing sends.
 */
export const createScheduleSchema = createCampaignSchema.in
  .safeExtend({
    name: z.string().trim().min(1).max(200 - FIRED_SUFFIX_LENGTH),
    scheduledAt: scheduledAtSchema,
    /** Omitted or null: runs once, at scheduledAt. */
    scheduling: schedulingSchema.nullish(),
  })
  .transform(({ scheduledAt, scheduling, ...campaign }) => ({
    scheduledAt,
    scheduling: scheduling ?? null,
    // Already valid: this applies POST /campaigns's own transform (timeout → timeoutMs).
    campaign: createCampaignSchema.parse(campaign),
  }));
export type CreateScheduleInput = z.input<typeof createScheduleSchema>;
export type CreateSchedule = z.output<typeof createScheduleSchema>;

/**
 * PATCH /schedules/{id}: any field of the create body (merged over the stored one, then
 * validated as a whole by createScheduleSchema) and `enabled`.
 */
export const patchScheduleSchema = z.looseObject({ enabled: z.boolean().optional() });

/** The create body a schedule stands for, which a PATCH is merged over. */
export function scheduleBody(s: { campaign: CreateCampaign; scheduledAt: string; scheduling: Scheduling | null }): Record<string, unknown> {
  return { ...s.campaign, scheduledAt: s.scheduledAt, scheduling: s.scheduling };
}

/** Merges a PATCH over the stored body: given fields replace the stored ones; `timeout` replaces `timeoutMs`. */
export function mergeSchedulePatch(stored: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const { enabled: _, ...changes } = patch;
  const merged = { ...stored, ...changes };
  if ('timeout' in changes && !('timeoutMs' in changes)) delete merged.timeoutMs;
  return merged;
}

/** The occurrence rule of a valid schedule body. */
export function scheduleRuleOf(s: { scheduledAt: string; scheduling: Scheduling | null }): ScheduleRule {
  const at = parseScheduledAt(s.scheduledAt);
  if (typeof at === 'string') throw new Error(`scheduledAt was validated: ${at}`);
  const zone = (s.scheduling?.timeZone && resolveTimeZone(s.scheduling.timeZone)) || at.zone;
  return { startMs: at.epochMs, zone, recurrence: s.scheduling ? { kind: s.scheduling.scheduling, restrictions: s.scheduling.restrictions } : null };
}

/**
 * A one-off schedule must lie in the future; a recurring one may start in the past (it only
 * anchors the local time). Read from the raw body so it is reported with every other problem.
 */
export function oneOffInPastProblem(body: unknown, nowMs: number): { path: string; message: string } | null {
  if (typeof body !== 'object' || body === null) return null;
  const { scheduledAt, scheduling } = body as Record<string, unknown>;
  if (typeof scheduledAt !== 'string' || (scheduling !== undefined && scheduling !== null)) return null;
  const at = parseScheduledAt(scheduledAt);
  if (typeof at === 'string' || at.epochMs > nowMs) return null;
  return { path: 'scheduledAt', message: `is ${new Date(at.epochMs).toISOString()}, in the past: a one-off schedule must lie in the future (add "scheduling" to repeat it)` };
}

/** GET /schedules */
export const scheduleSearchSchema = z.strictObject({
  /** Part of the name, any case. */
  name: z.string().max(200).optional(),
  enabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  page: z.coerce.number().int().min(0).default(0),
  size: z.coerce.number().int().min(1).max(100).default(20),
});
export type ScheduleSearch = z.output<typeof scheduleSearchSchema>;

/** A schedule as the API returns it. */
export interface ScheduleView {
  id: string;
  name: string;
  enabled: boolean;
  scheduledAt: string;
  scheduling: Scheduling | null;
  /** The zone occurrences follow: scheduling.timeZone resolved, else the zone of scheduledAt. */
  timeZone: string;
  /** The campaign each firing starts, named `<name> (YYYY-MM-DD HH:MM)` in timeZone. */
  campaign: CreateCampaign;
  /** Null once a one-off schedule has run, or while disabled. */
  nextRunAt: string | null;
  /** The next 5 occurrences (ISO-8601 UTC), whether enabled or not. */
  nextRuns: string[];
  createdAt: string;
  updatedAt: string;
}
