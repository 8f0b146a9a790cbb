import { Injectable } from '@nestjs/common';
import { isOpenProfile, planEndMs, planRate, totalArrivals } from '@barrage/planning';
import { TERMINAL_STATUSES, intervalsQuerySchema, type CampaignStatus, type Report } from '@barrage/contracts';
import { ApiError, notFound, parseOr400 } from '../common/api-error.js';
import { toSummary, type CampaignDefinition } from '../campaigns/campaign.mapper.js';
import type { Campaign, Interval } from '../generated/prisma/client.js';
import { resourceNumbers } from './resource-numbers.js';
import { ResultsRepository } from './results.repository.js';
import { startSync } from './start-sync.js';

/** Failure samples listed per error kind by `/errors` and the report page. */
const SAMPLES_PER_KIND = 10;

function group<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/** The capacity the chunk was planned with: its weight among its zone's chunks. */
function chunkCapacity(stored: unknown): number | null {
  const level = (stored as { share?: { levels?: { weights: number[]; index: number }[] } })?.share?.levels?.[1];
  return level ? (level.weights[level.index] ?? null) : null;
}

/** Campaign duration: start instant to end, or the intervals' span while it runs. */
function durationSeconds(c: Campaign, rows: Interval[]): number {
  const start = c.startAt ?? c.startedAt;
  if (start && c.endedAt) return Math.max(0, (c.endedAt.getTime() - start.getTime()) / 1000);
  return (rows.length * c.resolutionMs) / 1000;
}

/** An interval row as the API shows it: no histograms, numbers instead of bigints. */
function publicRow({ histogram: _h, serviceHistogram: _s, stream: _st, campaignKey: _k, bytesIn, bytesOut, bucketStart, ...r }: Interval) {
  return { ...r, bucketStart: bucketStart.toISOString(), bytesIn: Number(bytesIn), bytesOut: Number(bytesOut) };
}
export type PublicInterval = ReturnType<typeof publicRow>;

/**
 * Open-model scenarios: the arrivals the plan asked for against those that started and
 * those dropped for want of a free slot (maxInFlight).
 */
function rateControl(def: CampaignDefinition, speedFactor: number, rows: Interval[], seconds: number) {
  const out = [];
  for (const [name, s] of Object.entries(def.payload.scenarios)) {
    const profile = s.executionProfile;
    if (!profile || !isOpenProfile(profile)) continue;
    const schedule = planRate(profile, speedFactor);
    const planned = totalArrivals(schedule);
    const own = rows.filter((r) => r.scenario === name && r.step === '*' && r.zone === '*');
    const started = own.reduce((n, r) => n + r.iterations, 0);
    const dropped = own.reduce((n, r) => n + r.dropped, 0);
    const planSeconds = (planEndMs(profile, speedFactor) ?? 0) / 1000;
    out.push({
      scenario: name,
      targetIterations: planned,
      startedIterations: started,
      droppedIterations: dropped,
      targetRate: planSeconds > 0 ? planned / planSeconds : 0,
      achievedRate: seconds > 0 ? started / seconds : 0,
    });
  }
  return out;
}

/** The final report (docs/metrics.md#report), the interval series (docs/metrics.md#intervals) and the per-resource routes (docs/api.md#results). */
@Injectable()
export class ReportService {
  constructor(private readonly repo: ResultsRepository) {}

  async campaign(key: string): Promise<Campaign> {
    const c = await this.repo.campaign(key);
    if (!c) throw notFound(`campaign "${key}"`);
    return c;
  }

  async report(key: string): Promise<Report> {
    const c = await this.campaign(key);
    if (!TERMINAL_STATUSES.includes(c.status as CampaignStatus)) {
      throw new ApiError(409, 'CONFLICT', `campaign ${key} is ${c.status}; the report is available once it has ended`);
    }
    const rows = await this.repo.allRows(key);
    const total = rows.filter((r) => r.scenario === '*' && r.step === '*' && r.zone === '*');
    const seconds = durationSeconds(c, total);
    const all = resourceNumbers(total, seconds);
    const resources = rows.filter((r) => r.scenario !== '*' && r.step !== '*' && r.zone !== '*');
    const summary = toSummary(c);
    return {
      metadata: {
        key: c.key,
        name: c.name,
        status: c.status,
        result: c.result,
        failureReason: c.failureReason,
        createdAt: summary.createdAt,
        startedAt: summary.startedAt,
        endedAt: summary.endedAt,
        configuration: { speedFactor: c.speedFactor, startOffsetMs: c.startOffsetMs, hardTimeout: c.hardTimeout, timeoutMs: c.timeoutMs, resolutionMs: c.resolutionMs, scenarios: summary.scenarios },
      },
      summary: {
        requests: all.requests,
        failures: all.failures,
        errorRate: all.errorRate,
        durationSeconds: seconds,
        avgRps: all.avgRps,
        peakRps: all.peakRps,
        peakMinions: total.reduce((m, r) => Math.max(m, r.minionsActive), 0),
        minionsStarted: Number(c.minionsStarted),
        iterations: total.reduce((n, r) => n + r.iterations, 0),
        droppedIterations: Number(c.droppedIterations),
        bytes: all.bytes,
        checks: all.checks,
      },
      latency: all.latency,
      serviceTime: all.serviceTime,
      statusCodes: all.statusCodes,
      errors: all.errors,
      timingBreakdown: all.timingBreakdown,
      generator: {
        saturated: total.some((r) => r.saturated),
        saturatedIntervals: total.filter((r) => r.saturated).length,
        maxEventLoopLagMs: total.reduce((m, r) => Math.max(m, r.maxLagMs), 0),
        maxSendLatenessMs: total.reduce((m, r) => Math.max(m, r.maxLatenessMs), 0),
      },
      rateControl: rateControl(c.definition as unknown as CampaignDefinition, c.speedFactor, rows, seconds),
      start: startSync(c.startAt, await this.repo.chunks(key)),
      thresholds: (c.resultDetails ?? []) as { scenario: string | null; step: string | null; expression: string; observed: number | null; passed: boolean; abortOnFail: boolean }[],
      scenarios: [...group(resources, (r) => r.scenario)].map(([scenario, sRows]) => ({
        name: scenario,
        steps: [...group(sRows, (r) => r.step)].map(([step, tRows]) => ({
          name: step,
          ...resourceNumbers(tRows, seconds),
          zones: [...group(tRows, (r) => r.zone)].map(([zone, zRows]) => ({ zone, ...resourceNumbers(zRows, seconds) })),
        })),
      })),
    };
  }

  /** GET /campaigns/{key}/intervals: one resource's rows, its roll-up where a dimension is left out. */
  async intervals(key: string, query: unknown): Promise<PublicInterval[]> {
    const q = parseOr400(intervalsQuerySchema, query, 'query');
    await this.campaign(key);
    const rows = await this.repo.rows(key, {
      scenario: q.scenario,
      step: q.step,
      zone: q.zone,
      since: q.since ? new Date(q.since) : undefined,
      until: q.until ? new Date(q.until) : undefined,
    });
    return (q.numIntervals ? rows.slice(-q.numIntervals) : rows).map(publicRow);
  }

  /** Every row of the campaign (each resource and each roll-up), as the API shows rows. */
  async allIntervals(key: string): Promise<PublicInterval[]> {
    await this.campaign(key);
    return (await this.repo.allRows(key)).map(publicRow);
  }

  /** GET /campaigns/{key}/steps: each scenario's steps ("resources") with their numbers. */
  async steps(key: string) {
    const c = await this.campaign(key);
    const rows = (await this.repo.allRows(key)).filter((r) => r.scenario !== '*' && r.step !== '*' && r.zone === '*');
    const seconds = durationSeconds(c, rows);
    return [...group(rows, (r) => `${r.scenario}\u0000${r.step}`)].map(([, list]) => ({
      scenario: list[0]!.scenario,
      step: list[0]!.step,
      ...resourceNumbers(list, seconds),
    }));
  }

  /** GET /campaigns/{key}/steps/{step}: one step (`step` or `scenario.step`), per zone and with its intervals. */
  async step(key: string, name: string, scenario?: string) {
    const c = await this.campaign(key);
    const rows = await this.repo.stepRows(key, scenario, name);
    if (rows.length === 0) throw notFound(`step "${name}" of campaign ${key}`);
    const scenarios = [...new Set(rows.map((r) => r.scenario))];
    if (scenarios.length > 1) {
      throw new ApiError(400, 'VALIDATION_FAILED', `step "${name}" exists in scenarios ${scenarios.join(', ')}: name one with ?scenario=`, [{ path: 'scenario', message: `one of ${scenarios.join(', ')}` }]);
    }
    const all = rows.filter((r) => r.zone === '*');
    const seconds = durationSeconds(c, all);
    return {
      scenario: scenarios[0]!,
      step: name,
      ...resourceNumbers(all, seconds),
      zones: [...group(rows.filter((r) => r.zone !== '*'), (r) => r.zone)].map(([zone, zRows]) => ({ zone, ...resourceNumbers(zRows, seconds) })),
      intervals: all.map(publicRow),
    };
  }

  /** GET /campaigns/{key}/errors: failure kinds and failed checks with counts, and sampled failures. */
  async errors(key: string) {
    await this.campaign(key);
    const total = await this.repo.rows(key);
    const byKind = resourceNumbers(total, 0).errors;
    const samples = await this.repo.samples(key, SAMPLES_PER_KIND);
    const byKindSamples = group(samples, (s) => s.kind);
    return {
      kinds: Object.entries(byKind.byKind)
        .sort((a, b) => b[1] - a[1])
        .map(([kind, count]) => ({
          kind,
          count,
          samples: (byKindSamples.get(kind) ?? []).map((s) => ({ request: s.request, status: s.status, message: s.message, scenario: s.scenario, step: s.step, zone: s.zone, at: s.at.toISOString() })),
        })),
      checks: Object.entries(byKind.byCheck).sort((a, b) => b[1] - a[1]).map(([check, failed]) => ({ check, failed })),
    };
  }

  /** GET /campaigns/{key}/distribution: per zone, its share and the factories that ran it. */
  async distribution(key: string) {
    const c = await this.campaign(key);
    const def = c.definition as unknown as CampaignDefinition;
    const chunks = await this.repo.chunks(key);
    return {
      key,
      scenarios: Object.entries(def.payload.scenarios).map(([name, s]) => ({
        name,
        zones: [...group(chunks.filter((k) => k.scenario === name), (k) => k.zone)].map(([zone, list]) => ({
          zone,
          percentage: s.zones?.[zone] ?? null,
          minions: list.reduce((n, k) => n + k.minions, 0),
          factories: list.map((k) => ({ id: k.factoryId, host: k.host, chunk: k.id, capacity: chunkCapacity(k.share) })),
        })),
      })),
    };
  }

  /** The campaign-wide series and error samples the report page draws. */
  async pageExtras(key: string) {
    const series = (await this.repo.rows(key)).map((r) => ({
      bucketStart: r.bucketStart.toISOString(),
      count: r.count,
      failures: r.failures,
      rps: r.rps,
      p50: r.p50,
      p95: r.p95,
      p99: r.p99,
      max: r.max,
      minionsActive: r.minionsActive,
      saturated: r.saturated,
    }));
    const errors = (await this.errors(key)).kinds.map((k) => ({ ...k, samples: k.samples.map(({ scenario: _s, ...s }) => s) }));
    return { series, errors };
  }
}
