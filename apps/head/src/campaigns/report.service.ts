import { Injectable } from '@nestjs/common';
import { mergeCounts, mergeEncoded, summarizeEncoded } from '@barrage/metrics';
import { isOpenProfile, planEndMs, planRate, totalArrivals } from '@barrage/planning';
import { TERMINAL_STATUSES, intervalsQuerySchema, type CampaignStatus } from '@barrage/contracts';
import { PrismaService } from '../infra/prisma.service.js';
import { ApiError, notFound, parseOr400 } from '../common/api-error.js';
import { toSummary, type CampaignDefinition } from './campaign.mapper.js';
import type { Interval } from '../generated/prisma/client.js';

type Row = Interval;

/** Numbers of a set of interval rows of one resource, merged exactly. */
function aggregate(rows: Row[], durationSeconds: number) {
  const requests = rows.reduce((n, r) => n + r.count, 0);
  const failures = rows.reduce((n, r) => n + r.failures, 0);
  return {
    requests,
    failures,
    errorRate: requests ? failures / requests : 0,
    avgRps: durationSeconds > 0 ? requests / durationSeconds : 0,
    peakRps: rows.reduce((m, r) => Math.max(m, r.rps), 0),
    latency: summarizeEncoded(mergeEncoded(rows.map((r) => r.histogram))),
    serviceTime: summarizeEncoded(mergeEncoded(rows.map((r) => r.serviceHistogram ?? r.histogram))),
    statusCodes: mergeCounts(rows.map((r) => r.statusCodes as Record<string, number>)),
    errors: {
      byKind: mergeCounts(rows.map((r) => r.failureKinds as Record<string, number>)),
      byCheck: mergeCounts(rows.map((r) => r.failedChecks as Record<string, number>)),
    },
    bytes: { in: rows.reduce((n, r) => n + Number(r.bytesIn), 0), out: rows.reduce((n, r) => n + Number(r.bytesOut), 0) },
  };
}

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

/**
 * Open-model scenarios: the arrivals the plan asked for against those that started and
 * those dropped for want of a free slot (maxInFlight).
 */
function rateControl(def: CampaignDefinition, speedFactor: number, rows: Row[], durationSeconds: number) {
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
      achievedRate: durationSeconds > 0 ? started / durationSeconds : 0,
    });
  }
  return out;
}

/** The final report (SPEC 6.3) and the interval series (SPEC 6.2), computed from the merged rows. */
@Injectable()
export class ReportService {
  constructor(private readonly prisma: PrismaService) {}

  async report(key: string) {
    const c = await this.prisma.campaign.findUnique({ where: { key } });
    if (!c) throw notFound(`campaign "${key}"`);
    if (!TERMINAL_STATUSES.includes(c.status as CampaignStatus)) {
      throw new ApiError(409, 'CONFLICT', `campaign ${key} is ${c.status}; the report is available once it has ended`);
    }
    const rows = await this.prisma.interval.findMany({ where: { campaignKey: key }, orderBy: { bucketStart: 'asc' } });
    const total = rows.filter((r) => r.scenario === '*' && r.step === '*' && r.zone === '*');
    const start = c.startAt ?? c.startedAt;
    const durationSeconds = start && c.endedAt ? Math.max(0, (c.endedAt.getTime() - start.getTime()) / 1000) : (total.length * c.resolutionMs) / 1000;
    const all = aggregate(total, durationSeconds);
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
        durationSeconds,
        avgRps: all.avgRps,
        peakRps: all.peakRps,
        peakMinions: total.reduce((m, r) => Math.max(m, r.minionsActive), 0),
        minionsStarted: Number(c.minionsStarted),
        iterations: total.reduce((n, r) => n + r.iterations, 0),
        droppedIterations: Number(c.droppedIterations),
        bytes: all.bytes,
      },
      latency: all.latency,
      serviceTime: all.serviceTime,
      statusCodes: all.statusCodes,
      errors: all.errors,
      generator: {
        saturated: total.some((r) => r.saturated),
        saturatedIntervals: total.filter((r) => r.saturated).length,
        maxEventLoopLagMs: total.reduce((m, r) => Math.max(m, r.maxLagMs), 0),
        maxSendLatenessMs: total.reduce((m, r) => Math.max(m, r.maxLatenessMs), 0),
      },
      rateControl: rateControl(c.definition as unknown as CampaignDefinition, c.speedFactor, rows, durationSeconds),
      thresholds: c.resultDetails ?? [],
      scenarios: [...group(resources, (r) => r.scenario)].map(([scenario, sRows]) => ({
        name: scenario,
        steps: [...group(sRows, (r) => r.step)].map(([step, tRows]) => ({
          name: step,
          ...aggregate(tRows, durationSeconds),
          zones: [...group(tRows, (r) => r.zone)].map(([zone, zRows]) => ({ zone, ...aggregate(zRows, durationSeconds) })),
        })),
      })),
    };
  }

  async intervals(key: string, query: unknown) {
    const q = parseOr400(intervalsQuerySchema, query, 'query');
    const exists = await this.prisma.campaign.count({ where: { key } });
    if (!exists) throw notFound(`campaign "${key}"`);
    const rows = await this.prisma.interval.findMany({
      where: {
        campaignKey: key,
        scenario: q.scenario ?? '*',
        step: q.step ?? '*',
        zone: q.zone ?? '*',
        bucketStart: { ...(q.since ? { gte: new Date(q.since) } : {}), ...(q.until ? { lt: new Date(q.until) } : {}) },
      },
      orderBy: { bucketStart: 'asc' },
    });
    return rows.map(({ histogram: _h, serviceHistogram: _s, campaignKey: _k, bytesIn, bytesOut, bucketStart, ...r }) => ({
      ...r,
      bucketStart: bucketStart.toISOString(),
      bytesIn: Number(bytesIn),
      bytesOut: Number(bytesOut),
    }));
  }
}
