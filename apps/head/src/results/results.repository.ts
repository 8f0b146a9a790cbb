import { Injectable } from '@nestjs/common';
import { PrismaService } from '../infra/prisma.service.js';
import type { Campaign, Interval } from '../generated/prisma/client.js';

/** Where an interval row sits: '*' is the roll-up over that dimension. */
export interface RowSelector {
  scenario?: string;
  step?: string;
  zone?: string;
  since?: Date;
  until?: Date;
}

/** Reads of a campaign's results (intervals, samples, threshold events): queries only. */
@Injectable()
export class ResultsRepository {
  constructor(private readonly prisma: PrismaService) {}

  campaign(key: string): Promise<Campaign | null> {
    return this.prisma.campaign.findUnique({ where: { key } });
  }

  /** Rows of one resource in time order; a dimension left out means its roll-up ('*'). */
  rows(key: string, s: RowSelector = {}): Promise<Interval[]> {
    return this.prisma.interval.findMany({
      where: {
        campaignKey: key,
        scenario: s.scenario ?? '*',
        step: s.step ?? '*',
        zone: s.zone ?? '*',
        bucketStart: { ...(s.since ? { gte: s.since } : {}), ...(s.until ? { lt: s.until } : {}) },
      },
      orderBy: { bucketStart: 'asc' },
    });
  }

  /** Every row of a campaign, roll-ups included. */
  allRows(key: string): Promise<Interval[]> {
    return this.prisma.interval.findMany({ where: { campaignKey: key }, orderBy: { bucketStart: 'asc' } });
  }

  /** Rows over all zones (every scenario and step) with after < bucketStart ≤ until. */
  zoneRollupsBetween(key: string, after: Date, until: Date): Promise<Interval[]> {
    return this.prisma.interval.findMany({ where: { campaignKey: key, zone: '*', bucketStart: { gt: after, lte: until } }, orderBy: { bucketStart: 'asc' } });
  }

  /** Rows of one step in every zone and over all zones. */
  stepRows(key: string, scenario: string | undefined, step: string): Promise<Interval[]> {
    return this.prisma.interval.findMany({
      where: { campaignKey: key, step, ...(scenario ? { scenario } : { scenario: { not: '*' } }) },
      orderBy: { bucketStart: 'asc' },
    });
  }

  /** Failure samples, newest first, at most `perKind` of each kind. */
  async samples(key: string, perKind: number) {
    return this.prisma.$queryRawUnsafe<{ kind: string; scenario: string; step: string; zone: string; request: string; status: number | null; message: string; at: Date }[]>(
      `SELECT kind, scenario, step, zone, request, status, message, at FROM (
         SELECT *, row_number() OVER (PARTITION BY kind ORDER BY at DESC, id DESC) AS n FROM failure_samples WHERE campaign_key = $1
       ) s WHERE n <= $2 ORDER BY kind, at DESC`,
      key,
      perKind,
    );
  }

  /** Threshold breach events after `afterId` (the live stream's cursor). */
  thresholdEvents(key: string, afterId: bigint) {
    return this.prisma.campaignEvent.findMany({ where: { campaignKey: key, kind: 'threshold', id: { gt: afterId } }, orderBy: { id: 'asc' } });
  }

  /**
   * Records a threshold's first breach once, whichever head sees it first: the insert and its
   * check run under the campaign's advisory lock (the one ingest takes). Returns true if new.
   */
  async recordBreach(key: string, id: string, message: string, data: object): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtext($1))', key);
      const n = await tx.$executeRawUnsafe(
        `INSERT INTO campaign_events (campaign_key, level, message, kind, data)
         SELECT $1, 'WARN', $2, 'threshold', $3::jsonb
         WHERE NOT EXISTS (SELECT 1 FROM campaign_events WHERE campaign_key = $1 AND kind = 'threshold' AND data->>'id' = $4)`,
        key,
        message,
        JSON.stringify({ ...data, id }),
        id,
      );
      return n > 0;
    });
  }

  chunks(key: string) {
    return this.prisma.chunk.findMany({ where: { campaignKey: key }, orderBy: [{ zone: 'asc' }, { scenario: 'asc' }, { index: 'asc' }] });
  }

  events(key: string) {
    return this.prisma.campaignEvent.findMany({ where: { campaignKey: key }, orderBy: { id: 'asc' } });
  }
}
