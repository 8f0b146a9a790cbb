import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  createScheduleSchema,
  issuePath,
  mergeSchedulePatch,
  oneOffInPastProblem,
  patchScheduleSchema,
  scheduleBody,
  scheduleRuleOf,
  scheduleSearchSchema,
  type CampaignSummary,
  type CreateCampaign,
  type CreateSchedule,
  type FactoryRecord,
  type Page,
  type Scheduling,
  type ScheduleView,
} from '@barrage/contracts';
import type { HeadConfig } from '@barrage/config';
import { Prisma, type Schedule } from '../generated/prisma/client.js';
import { ApiError, notFound, parseOr400 } from '../common/api-error.js';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import { newCampaignKey } from '../common/keys.js';
import { ScenariosService } from '../scenarios/scenarios.service.js';
import { ThresholdsService } from '../results/thresholds.service.js';
import { allocateChunks } from '../campaigns/allocation.js';
import { toSummary } from '../campaigns/campaign.mapper.js';
import { SchedulesRepository } from './schedules.repository.js';
import { ScheduleQueue } from './schedule-queue.service.js';
import { OCCURRENCE_SOURCE, type OccurrenceSource } from './occurrence-source.js';

const NEXT_RUNS = 5;
const iso = (ms: number) => new Date(ms).toISOString();

/** The stored parts of a schedule, as the contracts' helpers take them. */
export function storedSchedule(s: Schedule): { campaign: CreateCampaign; scheduledAt: string; scheduling: Scheduling | null } {
  return { campaign: s.campaign as unknown as CreateCampaign, scheduledAt: s.scheduledAt, scheduling: (s.scheduling as unknown as Scheduling | null) ?? null };
}

@Injectable()
export class SchedulesService {
  constructor(
    private readonly repo: SchedulesRepository,
    private readonly queue: ScheduleQueue,
    private readonly scenarios: ScenariosService,
    private readonly thresholds: ThresholdsService,
    @Inject(OCCURRENCE_SOURCE) private readonly occurrences: OccurrenceSource,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** POST /campaigns/schedule: validate as POST /campaigns does, store, queue the first occurrence. */
  async create(body: unknown): Promise<ScheduleView> {
    const s = await this.validate(body, true);
    const rule = scheduleRuleOf(s);
    const id = newCampaignKey();
    const next = this.occurrences.nextRuns(rule, Date.now(), 1)[0];
    const row = await this.repo.create({
      id,
      name: s.campaign.name,
      scheduledAt: s.scheduledAt,
      scheduling: (s.scheduling ?? undefined) as object | undefined,
      timeZone: rule.zone,
      campaign: s.campaign as object,
      nextRunAt: next === undefined ? null : new Date(next),
    });
    if (next !== undefined) await this.queue.add(id, next);
    this.log.info({ schedule: id, next: next === undefined ? null : iso(next) }, 'schedule created');
    return this.view(row);
  }

  async get(id: string): Promise<ScheduleView> {
    return this.view(await this.find(id));
  }

  async search(query: unknown): Promise<Page<ScheduleView>> {
    const q = parseOr400(scheduleSearchSchema, query, 'query');
    const { total, schedules } = await this.repo.search(q);
    return { page: q.page, size: q.size, totalPages: Math.ceil(total / q.size), totalElements: total, elements: schedules.map((s) => this.view(s)) };
  }

  /** PATCH /schedules/{id}: any field, merged over the stored body and validated whole; `enabled` too. */
  async patch(id: string, body: unknown): Promise<ScheduleView> {
    const patch = parseOr400(patchScheduleSchema, body);
    const before = await this.find(id);
    const changesTiming = 'scheduledAt' in patch || 'scheduling' in patch;
    const s = await this.validate(mergeSchedulePatch(scheduleBody(storedSchedule(before)), patch), changesTiming);
    const enabled = patch.enabled ?? before.enabled;
    const rule = scheduleRuleOf(s);
    const next = enabled ? this.occurrences.nextRuns(rule, Date.now(), 1)[0] : undefined;
    const after = await this.repo.update(id, {
      name: s.campaign.name,
      enabled,
      scheduledAt: s.scheduledAt,
      scheduling: s.scheduling ?? Prisma.DbNull,
      timeZone: rule.zone,
      campaign: s.campaign as object,
      nextRunAt: next === undefined ? null : new Date(next),
    });
    if (!after) throw notFound(`schedule "${id}"`);
    // The old occurrence's job would be refused when it fires (not an occurrence of the new
    // rule, or disabled); removing it keeps the queue honest.
    if (before.nextRunAt && before.nextRunAt.getTime() !== next) await this.queue.removeWaiting(id, before.nextRunAt.getTime());
    if (next !== undefined) await this.queue.add(id, next);
    return this.view(after);
  }

  async remove(id: string): Promise<void> {
    const s = await this.find(id);
    if (!(await this.repo.remove(id))) throw notFound(`schedule "${id}"`);
    if (s.nextRunAt) await this.queue.removeWaiting(id, s.nextRunAt.getTime());
  }

  /** GET /schedules/{id}/campaigns: the campaigns it started, newest first. */
  async campaigns(id: string, query: unknown): Promise<Page<CampaignSummary>> {
    const q = parseOr400(scheduleSearchSchema.pick({ page: true, size: true }), query, 'query');
    await this.find(id);
    const { total, campaigns } = await this.repo.campaigns(id, q.page, q.size);
    return { page: q.page, size: q.size, totalPages: Math.ceil(total / q.size), totalElements: total, elements: campaigns.map((c) => toSummary(c)) };
  }

  view(s: Schedule): ScheduleView {
    const stored = storedSchedule(s);
    const runs = this.occurrences.nextRuns(scheduleRuleOf(stored), Date.now(), NEXT_RUNS);
    return {
      id: s.id,
      name: s.name,
      enabled: s.enabled,
      scheduledAt: s.scheduledAt,
      scheduling: stored.scheduling,
      timeZone: s.timeZone,
      campaign: stored.campaign,
      nextRunAt: s.enabled && runs[0] !== undefined ? iso(runs[0]) : null,
      nextRuns: runs.map(iso),
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
    };
  }

  private async find(id: string): Promise<Schedule> {
    const s = await this.repo.find(id);
    if (!s) throw notFound(`schedule "${id}"`);
    return s;
  }

  /**
   * Every problem of the body in one 400: the schema's (campaign fields, scheduledAt, zone,
   * restrictions) and a one-off in the past; then what POST /campaigns checks against the
   * cluster: scenarios that exist, plans that can be built, thresholds naming real steps.
   */
  private async validate(body: unknown, checkPast: boolean): Promise<CreateSchedule> {
    const parsed = createScheduleSchema.safeParse(body);
    const details = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message }));
    const past = checkPast ? oneOffInPastProblem(body, Date.now()) : null;
    if (past) details.push(past);
    if (!parsed.success || details.length) throw badSchedule(details);
    await this.checkCampaign(parsed.data.campaign);
    return parsed.data;
  }

  private async checkCampaign(campaign: CreateCampaign): Promise<void> {
    const names = Object.keys(campaign.scenarios);
    const { found, missing } = await this.scenarios.resolve(names);
    if (missing.length) throw badSchedule(missing.map((n) => ({ path: `scenarios.${n}`, message: `unknown scenario "${n}": create it with POST /scenarios` })));
    // Plans are checked as at firing, with one stand-in factory per zone: which factories
    // are live then is not known now (a zone without one fails that occurrence, not this request).
    allocateChunks({
      campaignKey: 'schedule-check',
      campaign,
      scenarios: new Map([...found].map(([n, { version, createdAt: _, ...definition }]) => [n, { definition, version }])),
      factories: standInFactories(campaign),
      resolutionMs: this.config.RESOLUTION_MS,
    });
    this.thresholds.parse(campaign, Object.fromEntries([...found].map(([n, s]) => [n, s.steps.map((st) => st.name)])));
  }
}

function badSchedule(details: { path: string; message: string }[]): ApiError {
  const first = details[0];
  const message = details.length === 1 && first ? `schedule: ${first.path ? `${first.path}: ` : ''}${first.message}` : `schedule is invalid (${details.length} problems)`;
  return new ApiError(400, 'VALIDATION_FAILED', message, details);
}

function standInFactories(campaign: CreateCampaign): FactoryRecord[] {
  const zones = new Set(['default']);
  for (const s of Object.values(campaign.scenarios)) for (const z of Object.keys(s.zones ?? {})) zones.add(z);
  return [...zones].map((zone) => ({ id: `stand-in-${zone}`, zone, host: '', capacity: 1, version: '', runningChunks: [], startedAt: '', heartbeatAt: '' }));
}
