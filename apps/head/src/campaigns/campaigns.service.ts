import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  TERMINAL_STATUSES,
  campaignSearchSchema,
  createCampaignSchema,
  patchCampaignSchema,
  redisKeys,
  templateProblems,
  type CampaignStatus,
  type CampaignSummary,
  type Page,
} from '@barrage/contracts';
import type { HeadConfig } from '@barrage/config';
import { QueuesService } from '../infra/queues.service.js';
import { ControlService } from '../infra/control.service.js';
import { RedisService } from '../infra/redis.service.js';
import { ScenariosService } from '../scenarios/scenarios.service.js';
import { FactoriesService } from '../factories/factories.service.js';
import { chunkStart, startSync } from '../results/start-sync.js';
import { ApiError, conflict, notFound, parseOr400, unavailable } from '../common/api-error.js';
import { DependencyTimeoutError } from '../infra/dependency.js';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import { newCampaignKey } from '../common/keys.js';
import { allocateChunks } from './allocation.js';
import { toSummary, type CampaignDefinition } from './campaign.mapper.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { searchSql } from './search.js';
import { ThresholdsService } from '../results/thresholds.service.js';
import { TargetPolicy } from '../scenarios/target-policy.js';

@Injectable()
export class CampaignsService {
  constructor(
    private readonly repo: CampaignsRepository,
    private readonly scenarios: ScenariosService,
    private readonly factories: FactoriesService,
    private readonly queues: QueuesService,
    private readonly control: ControlService,
    private readonly redis: RedisService,
    private readonly thresholds: ThresholdsService,
    private readonly policy: TargetPolicy,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** POST /campaigns: validate, plan, persist, enqueue one job per chunk. */
  async create(body: unknown): Promise<CampaignSummary> {
    const payload = parseOr400(createCampaignSchema, body, 'campaign');
    const names = Object.keys(payload.scenarios);
    const { found, missing } = await this.scenarios.resolve(names);
    if (missing.length) {
      const details = missing.map((n) => ({ path: `scenarios.${n}`, message: `unknown scenario "${n}": create it with POST /scenarios` }));
      throw new ApiError(400, 'VALIDATION_FAILED', details.map((d) => d.message).join('; '), details);
    }
    // Now the campaign's variables are known, every template name must resolve.
    const unresolved = [...found].flatMap(([n, s]) => templateProblems(s, payload.variables).map((p) => ({ path: `scenarios.${n}.${p.path.join('.')}`, message: `scenario "${n}": ${p.message}` })));
    if (unresolved.length) throw new ApiError(400, 'VALIDATION_FAILED', unresolved.length === 1 ? unresolved[0]!.message : `${unresolved.length} template names cannot resolve: ${unresolved.map((d) => d.message).join('; ')}`, unresolved);
    for (const [n, s] of found) this.policy.checkTargets(s, payload.variables, `scenarios.${n}.`);
    const key = newCampaignKey();
    const jobs = allocateChunks({
      campaignKey: key,
      campaign: payload,
      scenarios: new Map([...found].map(([n, { version, createdAt: _, ...definition }]) => [n, { definition, version }])),
      factories: await this.factories.live(),
      resolutionMs: this.config.RESOLUTION_MS,
    });
    const thresholds = this.thresholds.parse(payload, Object.fromEntries([...found].map(([n, s]) => [n, s.steps.map((st) => st.name)])));
    const definition: CampaignDefinition = { payload, scenarioVersions: Object.fromEntries([...found].map(([n, s]) => [n, s.version])), thresholds };
    const now = new Date();
    // Redis must answer before anything is written (bounded by REDIS_COMMAND_TIMEOUT_MS; a
    // failure answers 503), so a Redis outage leaves no campaign behind.
    await this.redis.main.ping();
    await this.repo.create({
        key,
        name: payload.name,
        note: payload.note,
        status: 'created',
        statusHistory: [{ status: 'created', at: now.toISOString() }],
        definition: definition as object,
        speedFactor: payload.speedFactor,
        startOffsetMs: payload.startOffsetMs,
        hardTimeout: payload.hardTimeout,
        timeoutMs: payload.timeoutMs ?? null,
        manualStart: payload.manualStart,
        resolutionMs: this.config.RESOLUTION_MS,
        createdAt: now,
        retentionExpiry: this.retentionExpiry(now),
        chunks: {
          create: jobs.map((j) => ({ id: j.chunkId, scenario: j.scenarioName, zone: j.zone, index: j.share.levels[1]!.index, share: { share: j.share, rate: j.rate } as object, minions: j.minions, status: 'queued' })),
        },
    });
    const perZone = new Map<string, number>();
    for (const j of jobs) perZone.set(j.zone, (perZone.get(j.zone) ?? 0) + 1);
    for (const [zone, n] of perZone) await this.repo.event(key, 'INFO', `Allocated ${n} chunk${n > 1 ? 's' : ''} in zone ${zone}`);
    try {
      await this.queues.enqueueChunks(jobs); // bounded by REDIS_COMMAND_TIMEOUT_MS
    } catch (e) {
      this.log.error({ err: e, campaign: key }, 'enqueue failed');
      // Chunks already queued, and adds that land when a stalled Redis answers again, must
      // never start: the control hash says abort (sent until Redis takes it), and a factory
      // given a chunk of an aborted campaign does not run it.
      this.control.sendEventually(key, { abort: 'hard' });
      const reason = e instanceof DependencyTimeoutError ? `Redis did not answer within ${e.timeoutMs} ms while the chunk jobs were queued; try again` : 'Redis refused the chunk jobs; try again';
      await this.repo.transition(key, ['created'], 'failed', { result: 'error', failureReason: reason, ended: true });
      throw unavailable(`Redis is unavailable: campaign ${key} could not be queued and was marked failed; retry later`);
    }
    await this.repo.transition(key, ['created'], 'queued');
    this.log.info({ campaign: key, chunks: jobs.length }, 'campaign queued');
    return this.get(key);
  }

  async get(key: string): Promise<CampaignSummary> {
    const c = await this.repo.find(key);
    if (!c) throw notFound(`campaign "${key}"`);
    return toSummary(c, TERMINAL_STATUSES.includes(c.status as CampaignStatus) ? 0 : await this.repo.latestMinionsActive(key));
  }

  async exists(key: string): Promise<boolean> {
    return this.repo.exists(key);
  }

  async search(query: unknown): Promise<Page<CampaignSummary>> {
    const q = parseOr400(campaignSearchSchema, query, 'query');
    const sql = searchSql(q);
    const { total, campaigns } = await this.repo.search(sql);
    return {
      page: q.page,
      size: q.size,
      totalPages: Math.ceil(total / q.size),
      totalElements: total,
      elements: campaigns.map((c) => toSummary(c)),
    };
  }

  async patch(key: string, body: unknown): Promise<CampaignSummary> {
    const { note } = parseOr400(patchCampaignSchema, body);
    // One conditional statement: a campaign deleted meanwhile is a 404, never a 500.
    if (!(await this.repo.setNote(key, note))) throw notFound(`campaign "${key}"`);
    return this.get(key);
  }

  async remove(key: string): Promise<void> {
    if (await this.repo.deleteEnded(key, TERMINAL_STATUSES)) {
      await this.redis.main.del(redisKeys.control(key));
      return;
    }
    // Nothing deleted: gone already (404), or still running (409).
    const c = await this.get(key);
    throw conflict(`campaign ${key} is ${c.status}; abort it before deleting it`);
  }

  /** POST /campaigns/{key}/save: kept past retention. */
  async save(key: string): Promise<CampaignSummary> {
    if (!(await this.repo.setRetention(key, null))) throw notFound(`campaign "${key}"`);
    return this.get(key);
  }

  /** POST /campaigns/{key}/unsave: purged again RETENTION_DAYS after its creation. */
  async unsave(key: string): Promise<CampaignSummary> {
    const c = await this.repo.find(key);
    if (!c || !(await this.repo.setRetention(key, this.retentionExpiry(c.createdAt)))) throw notFound(`campaign "${key}"`);
    return this.get(key);
  }

  private retentionExpiry(createdAt: Date): Date {
    return new Date(createdAt.getTime() + this.config.RETENTION_DAYS * 86_400_000);
  }

  async definition(key: string): Promise<CampaignDefinition> {
    const c = await this.repo.find(key);
    if (!c) throw notFound(`campaign "${key}"`);
    return c.definition as unknown as CampaignDefinition;
  }

  /** GET /campaigns/{key}/execution: zones, each with its chunks. */
  async execution(key: string) {
    const c = await this.get(key);
    const chunks = await this.repo.chunksWithRuns(key);
    const zones = new Map<string, unknown[]>();
    for (const k of chunks) {
      const list = zones.get(k.zone) ?? [];
      list.push({
        id: k.id,
        scenario: k.scenario,
        index: k.index,
        minions: k.minions,
        status: k.status,
        factoryId: k.factoryId,
        host: k.host,
        acceptedAt: k.acceptedAt?.toISOString() ?? null,
        startedAt: k.startedAt?.toISOString() ?? null,
        finishedAt: k.finishedAt?.toISOString() ?? null,
        iterations: Number(k.iterations),
        error: k.error,
        lostAt: k.lostAt?.toISOString() ?? null,
        rowsExhausted: k.rowsExhausted,
        ...chunkStart(k),
        // Every factory that ran the chunk: the first, then each takeover or hand-back.
        runs: k.runs.map((r) => ({ run: r.run, factoryId: r.factoryId, host: r.host, acceptedAt: r.acceptedAt.toISOString(), endedAt: r.endedAt?.toISOString() ?? null, outcome: r.outcome })),
      });
      zones.set(k.zone, list);
    }
    return { key, status: c.status, startSpreadMs: startSync(null, chunks).spreadMs, zones: [...zones].map(([zone, list]) => ({ zone, chunks: list })) };
  }

  async logs(key: string) {
    await this.get(key);
    const events = await this.repo.events(key);
    return events.map((e) => ({ at: e.at.toISOString(), level: e.level, message: e.message }));
  }
}
